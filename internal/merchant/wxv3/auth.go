package wxv3

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sched"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Signed requests: the WECHATPAY2-SHA256-RSA2048 check of every /v3
// request, and the nonce store that refuses replays.

// The nonce store's statements, over the merchant component's
// request_nonces table.
const (
	insertNonce = `INSERT INTO request_nonces (mchid, nonce, seen_at) VALUES (?, ?, ?)`
	pruneNonces = `DELETE FROM request_nonces WHERE seen_at < ?`
)

// nonceWindow is how long a nonce is kept. A request is accepted up to 10
// minutes after it is first seen (a timestamp 5 minutes ahead, then 5
// minutes behind); the 5 more minutes cover clock skew between the node
// that prunes and the node that checks.
const nonceWindow = 15 * time.Minute

// errBadSignature is the one answer to a request whose signature does not
// check out for whatever reason tied to the merchant (no such mchid, no
// credentials, another serial, a wrong signature): an unsigned caller
// learns nothing about which mchids exist.
var errBadSignature = errSign("the signature does not match a registered merchant key for this request")

// verify checks r's signature over body before any business field is
// read, refuses stale timestamps and replayed nonces, and returns the
// signing merchant.
func verify(ctx context.Context, s *merchant.Service, r *http.Request, body []byte) (merchant.Merchant, error) {
	auth, err := plazapay.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return merchant.Merchant{}, errSign("the Authorization header is missing or malformed")
	}
	ts, err := strconv.ParseInt(auth.Timestamp, 10, 64)
	if err != nil {
		return merchant.Merchant{}, errSign("timestamp is not unix seconds")
	}
	if skew := s.Now().Unix() - ts; skew > 300 || skew < -300 {
		return merchant.Merchant{}, errSign("timestamp is more than 5 minutes from the server's clock")
	}
	if len(auth.NonceStr) == 0 || len(auth.NonceStr) > 64 {
		return merchant.Merchant{}, errSign("nonce_str is missing or too long")
	}
	msg := plazapay.RequestMessage(r.Method, r.RequestURI, auth.Timestamp, auth.NonceStr, body)
	m, err := s.SigningMerchant(ctx, auth.MchID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return merchant.Merchant{}, err
	}
	// Serials are hex: ASCII case folding is all EqualFold does to them.
	if err != nil || !m.HasCredentials || !strings.EqualFold(auth.SerialNo, m.SerialNo) {
		// The same work and the same answer as a wrong signature.
		plazapay.Verify(s.PlatformPublicKey(), msg, auth.Signature)
		return merchant.Merchant{}, errBadSignature
	}
	if err := plazapay.Verify(m.PublicKey(), msg, auth.Signature); err != nil {
		return merchant.Merchant{}, errBadSignature
	}
	if err := useNonce(ctx, s, m.MchID, auth.NonceStr); err != nil {
		return merchant.Merchant{}, err
	}
	return m, nil
}

// useNonce records a request's nonce, in the group commit the merchant's
// writes share; a nonce seen before is a replay.
func useNonce(ctx context.Context, s *merchant.Service, mchid, nonce string) error {
	at := sqldb.Micro(s.Now())
	err := s.GroupCommit(ctx, mchid, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, insertNonce, mchid, nonce, at)
		return err
	})
	if sqldb.IsUniqueViolation(err) {
		return errSign("nonce_str was used before: a replayed request")
	}
	return err
}

// PruneNonces forgets the nonces seen before now less the window.
func PruneNonces(ctx context.Context, db *sqldb.DB, now time.Time) error {
	_, err := db.Exec(ctx, pruneNonces, sqldb.Micro(now.Add(-nonceWindow)))
	return err
}

// PruneNoncesJob is the scheduled pruning of expired nonces, every
// minute, for merchant.Config.Jobs (so that merchant.Service.Run prunes).
// now is the clock (nil: time.Now).
func PruneNoncesJob(db *sqldb.DB, now func() time.Time) sched.Job {
	if now == nil {
		now = time.Now
	}
	return sched.Job{Name: "pruning nonces", Every: time.Minute, Do: func(ctx context.Context) error {
		return PruneNonces(ctx, db, now())
	}}
}
