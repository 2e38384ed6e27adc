package merchant

import (
	"context"
	"crypto/rsa"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/plaza-dev/plaza/pkg/plazapay"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/platform/text"
)

// Merchant is a shop that takes Plaza Pay.
type Merchant struct {
	MchID          string `json:"mchid"`
	Name           string `json:"name"`
	Region         string `json:"region"`
	OwnerID        string `json:"owner_id"`
	SerialNo       string `json:"serial_no,omitempty"`
	HasCredentials bool   `json:"has_credentials"`
	// PlatformMode is how Plaza proves its answers to this merchant:
	// ModePublicKey or ModeCertificate.
	PlatformMode string   `json:"platform_mode"`
	AppIDs       []string `json:"appids"`

	publicKey *rsa.PublicKey
	apiV3Key  string
}

// PublicKey is the merchant's registered RSA key, which its requests are
// signed with (nil without credentials).
func (m Merchant) PublicKey() *rsa.PublicKey { return m.publicKey }

// CreateMerchant onboards a merchant owned by ownerID; its name is
// screened (held.go). Errors: invalid_argument.
func (s *Service) CreateMerchant(ctx context.Context, ownerID, name, region string) (Merchant, error) {
	name, err := text.Name("name", "A merchant name", name, 64)
	if err != nil {
		return Merchant{}, err
	}
	region = strings.ToUpper(strings.TrimSpace(region))
	if account.RegionName(region) == "" {
		return Merchant{}, errs.Field("region", "Region is an ISO 3166-1 alpha-2 code such as CN; %q is not one.", region)
	}
	for attempt := 0; ; attempt++ {
		m := Merchant{MchID: fmt.Sprintf("16%08d", rand.IntN(100_000_000)), Name: name, Region: region, OwnerID: ownerID,
			PlatformMode: ModePublicKey, AppIDs: []string{}}
		_, err := s.db.Exec(ctx, insertMerchant, m.MchID, m.Name, m.Region, m.OwnerID, sqldb.Micro(s.now()))
		if sqldb.IsUniqueViolation(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return m, err
		}
		// A name that matches a watch-list entry opens a review; the
		// merchant exists but takes no payments until it is released.
		return m, s.screenMerchant(ctx, m)
	}
}

// Merchant loads a merchant. Errors: not_found.
func (s *Service) Merchant(ctx context.Context, mchid string) (Merchant, error) {
	var m Merchant
	var pemText string
	err := s.db.QueryRow(ctx, selectMerchant, mchid).Scan(&m.MchID, &m.Name, &m.Region, &m.OwnerID, &pemText, &m.SerialNo, &m.apiV3Key, &m.PlatformMode)
	if errors.Is(err, sql.ErrNoRows) {
		return Merchant{}, errs.E(errs.NotFound, "No merchant %q.", mchid)
	}
	if err != nil {
		return Merchant{}, err
	}
	if pemText != "" {
		if m.publicKey, err = plazapay.ParsePublicKeyPEM([]byte(pemText)); err != nil {
			return Merchant{}, err
		}
		m.HasCredentials = true
	}
	rows, err := s.db.Query(ctx, selectApps, mchid)
	if err != nil {
		return Merchant{}, err
	}
	m.AppIDs = []string{}
	err = sqldb.Each(rows, func(rows *sql.Rows) error {
		var a string
		if err := rows.Scan(&a); err != nil {
			return err
		}
		m.AppIDs = append(m.AppIDs, a)
		return nil
	})
	if err != nil {
		return Merchant{}, err
	}
	return m, nil
}

// Owned is a merchant the caller owns. Errors: not_found (also for
// another owner's merchant).
func (s *Service) Owned(ctx context.Context, ownerID, mchid string) (Merchant, error) {
	m, err := s.Merchant(ctx, mchid)
	if err != nil || m.OwnerID != ownerID {
		return Merchant{}, errs.E(errs.NotFound, "No merchant %q of yours.", mchid)
	}
	return m, nil
}

// MerchantsOf lists the caller's merchants.
func (s *Service) MerchantsOf(ctx context.Context, ownerID string) ([]Merchant, error) {
	rows, err := s.db.Query(ctx, selectOwnedMchs, ownerID)
	if err != nil {
		return nil, err
	}
	list, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, err
	}
	out := []Merchant{}
	for _, id := range list {
		m, err := s.Merchant(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Platform modes: how Plaza proves its answers and notifications to a
// merchant, chosen with the credentials.
const (
	// ModePublicKey signs under the platform public key: Wechatpay-Serial
	// is its PUB_KEY_ID_…, and /v3/certificates answers 404
	// RESOURCE_NOT_EXISTS, as WeChat does for public-key merchants.
	ModePublicKey = "public_key"
	// ModeCertificate is for integrations that download platform
	// certificates: /v3/certificates serves Plaza's platform certificate
	// sealed under the APIv3 key, and every answer and notification
	// carries that certificate's serial.
	ModeCertificate = "certificate"
)

// SetCredentials registers the merchant's RSA public key (PEM), its
// certificate serial and the 32-byte APIv3 key, in public-key mode.
// Errors: invalid_argument, not_found.
func (s *Service) SetCredentials(ctx context.Context, ownerID, mchid, publicKeyPEM, serialNo, apiV3Key string) error {
	return s.SetCredentialsMode(ctx, ownerID, mchid, publicKeyPEM, serialNo, apiV3Key, ModePublicKey)
}

// SetCredentialsMode is SetCredentials with the platform mode
// (ModePublicKey when empty, or ModeCertificate).
func (s *Service) SetCredentialsMode(ctx context.Context, ownerID, mchid, publicKeyPEM, serialNo, apiV3Key, mode string) error {
	if _, err := s.Owned(ctx, ownerID, mchid); err != nil {
		return err
	}
	pub, err := plazapay.ParsePublicKeyPEM([]byte(publicKeyPEM))
	if err != nil {
		return errs.Field("public_key_pem", "public_key_pem is not an RSA public key or certificate in PEM: %v", err)
	}
	if pub.N.BitLen() < 2048 {
		return errs.Field("public_key_pem", "The key has %d bits; at least 2048 are required.", pub.N.BitLen())
	}
	serialNo = strings.ToUpper(strings.TrimSpace(serialNo))
	if serialNo == "" || len(serialNo) > 64 {
		return errs.Field("serial_no", "serial_no is the certificate serial number in hex.")
	}
	for _, c := range serialNo {
		if !strings.ContainsRune("0123456789ABCDEF", c) {
			return errs.Field("serial_no", "serial_no is the certificate serial number in hex.")
		}
	}
	if len(apiV3Key) != 32 {
		return errs.Field("apiv3_key", "The APIv3 key is exactly 32 characters.")
	}
	switch mode {
	case "":
		mode = ModePublicKey
	case ModePublicKey, ModeCertificate:
	default:
		return errs.Field("platform_mode", "platform_mode is public_key or certificate.")
	}
	der, _ := plazapay.PublicKeyPEM(pub)
	_, err = s.db.Exec(ctx, setCredentials, string(der), serialNo, apiV3Key, mode, mchid)
	s.forget(mchid)
	return err
}

// AppOwners tells who develops a Plaza mini-program (the miniapp
// component, which imports this package, implements it).
type AppOwners interface {
	// AppOwner is the developer's user id of appid; known is false when
	// appid is no Plaza mini-program.
	AppOwner(ctx context.Context, appid string) (ownerUserID string, known bool, err error)
}

// MiniProgramPrefix starts every Plaza mini-program appid. It is reserved:
// an appid with it binds only if it is a mini-program, and only by its
// developer; so no one can hold a mini-program's appid before it exists.
const MiniProgramPrefix = "mp"

var appIDRe = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

// BindApp lets appid place orders for the merchant. A Plaza mini-program's
// appid is bound only by its developer; any other appid (a web site's or
// an official account's, which Plaza cannot check) by the first merchant
// that claims it, and never one that starts like a mini-program's.
// Errors: not_found, conflict (bound to another merchant), forbidden
// (another developer's mini-program), invalid_argument.
func (s *Service) BindApp(ctx context.Context, ownerID, mchid, appid string) error {
	if _, err := s.Owned(ctx, ownerID, mchid); err != nil {
		return err
	}
	appid = strings.TrimSpace(appid)
	if !appIDRe.MatchString(appid) {
		return errs.Field("appid", "appid has 1 to 32 of 0-9 A-Z a-z _ -.")
	}
	if strings.HasPrefix(strings.ToLower(appid), MiniProgramPrefix) {
		if s.apps == nil {
			return errs.E(errs.Forbidden, "%s is not a mini-program of yours.", appid)
		}
		dev, known, err := s.apps.AppOwner(ctx, appid)
		if err != nil {
			return err
		}
		if !known || dev != ownerID {
			return errs.E(errs.Forbidden, "%s is not a mini-program of yours: only its developer binds it.", appid)
		}
	}
	var bound string
	if err := s.db.QueryRow(ctx, selectAppMchID, appid).Scan(&bound); err == nil {
		if bound == mchid {
			return nil
		}
		return errs.E(errs.Conflict, "%s is bound to another merchant.", appid)
	}
	_, err := s.db.Exec(ctx, insertApp, appid, mchid, sqldb.Micro(s.now()))
	s.forget(mchid)
	if sqldb.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "%s is bound to another merchant.", appid)
	}
	return err
}

// UnbindApp stops appid placing orders for the merchant (orders placed
// already are kept). Errors: not_found (no such merchant of the caller's,
// or appid not bound to it).
func (s *Service) UnbindApp(ctx context.Context, ownerID, mchid, appid string) error {
	if _, err := s.Owned(ctx, ownerID, mchid); err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, deleteApp, appid, mchid)
	if err != nil {
		return err
	}
	s.forget(mchid)
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.NotFound, "%s is not bound to merchant %s.", appid, mchid)
	}
	return nil
}

// MerchantBalance is the merchant's settlement balance in currency (0
// before its first payment); a failed read is an error.
func (s *Service) MerchantBalance(ctx context.Context, mchid, currency string) (int64, error) {
	return s.ledger.MerchantBalance(ctx, mchid, currency)
}

// PlatformKeyPEM is Plaza's public key for merchants to verify with.
func (s *Service) PlatformKeyPEM() string {
	b, _ := plazapay.PublicKeyPEM(&s.key.PublicKey)
	return string(b)
}
