package merchant

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbound"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

const (
	insertNotification = `INSERT INTO notifications (id, mchid, url, event_type, resource_id, body, status, attempts, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`
	merchantNotifications = `SELECT id, event_type, resource_id, url, status, attempts, last_status, last_error, created_at, delivered_at
		FROM notifications WHERE mchid = ? ORDER BY created_at DESC LIMIT ?`
)

// envelope is a notification's body.
type envelope struct {
	ID           string   `json:"id"`
	CreateTime   string   `json:"create_time"`
	ResourceType string   `json:"resource_type"`
	EventType    string   `json:"event_type"`
	Summary      string   `json:"summary"`
	Resource     resource `json:"resource"`
}

type resource struct {
	OriginalType   string `json:"original_type"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

// enqueue writes an encrypted notification to the outbox, inside the
// transaction of the change it announces.
func (s *Service) enqueue(ctx context.Context, tx *sqldb.Tx, m Merchant, url, event, originalType, summary, resourceID string, plaintext any) error {
	if url == "" || m.apiV3Key == "" {
		return nil // nowhere to send it, or no key to seal it with
	}
	plain, err := json.Marshal(plaintext)
	if err != nil {
		return err
	}
	nonce := plazapay.NewNonce()[:12]
	ct, err := plazapay.EncryptAEAD(m.apiV3Key, nonce, originalType, plain)
	if err != nil {
		return err
	}
	now := s.now()
	env := envelope{ID: "EV-" + ids.New("ev")[3:], CreateTime: now.In(chinaTime).Format(time.RFC3339), ResourceType: "encrypt-resource",
		EventType: event, Summary: summary,
		Resource: resource{OriginalType: originalType, Algorithm: "AEAD_AES_256_GCM", Ciphertext: ct, AssociatedData: originalType, Nonce: nonce}}
	body, _ := json.Marshal(env)
	_, err = tx.Exec(ctx, insertNotification, env.ID, m.MchID, url, event, resourceID, string(body), sqldb.Micro(now), sqldb.Micro(now))
	return err
}

// send posts one signed notification to merchant mchid and returns its
// status; Wechatpay-Serial follows the merchant's platform mode. The URL
// is checked again here, for rows stored before it was checked at
// creation; the client checks the address it dials.
func (s *Service) send(ctx context.Context, mchid, url string, body []byte) (int, error) {
	if err := outbound.CheckURL(url, s.allowPrivate); err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := plazapay.NewNonce()
	sig, err := plazapay.Sign(s.key, plazapay.ResponseMessage(ts, nonce, body))
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", s.notifySerial(ctx, mchid))
	h.Set("Wechatpay-Signature-Type", plazapay.Scheme)
	h.Set("Request-ID", ids.New("req"))
	h.Set("User-Agent", "PlazaPay-Notify/1")
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, err
	}
	outbound.Drain(resp)
	return resp.StatusCode, nil
}

// checkNotifyURL is the rule for a notify_url given at order or refund
// creation: an absolute http(s) URL with a host, no user info, at most
// 255 characters (WeChat's string(255)); unless private outbound is
// allowed, a literal IP host must be public (a host name is checked when
// it is dialled).
func (s *Service) checkNotifyURL(field, u string) error {
	if len(u) > 255 || outbound.CheckURL(u, true) != nil {
		return paramError(field, "notify_url is an absolute http(s) URL with a host and no user info, of at most 255 characters.")
	}
	if err := outbound.CheckURL(u, s.allowPrivate); err != nil {
		return paramError(field, "notify_url must not point to a loopback, private, link-local or other non-public address.")
	}
	return nil
}

// validNotifyURL is checkNotifyURL's syntax part, for the fuzzed parser.
func validNotifyURL(u string) bool {
	return len(u) <= 255 && outbound.CheckURL(u, true) == nil
}

// publicOutcome is a stored last_error as the merchant may see it: rows
// written before outcomes were generic held the dial error's text.
func publicOutcome(stored string, status int) string {
	if outcomeRe.MatchString(stored) {
		return stored
	}
	if status > 0 {
		return outbound.Outcome(status, nil)
	}
	return "connection failed"
}

var outcomeRe = regexp.MustCompile(`^(|HTTP [0-9]{3}( \(redirects are not followed\))?|refused: address not allowed|refused: invalid URL|timeout|TLS failed|connection failed)$`)

// NotificationLog is one notification as its merchant sees it.
type NotificationLog struct {
	ID          string     `json:"id"`
	EventType   string     `json:"event_type"`
	ResourceID  string     `json:"resource_id"`
	URL         string     `json:"url"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error"` // a generic outcome: "HTTP 500", "timeout", "connection failed", "refused: address not allowed", …
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// Notifications is a merchant's notification log, newest first.
func (s *Service) Notifications(ctx context.Context, mchid string, limit int) ([]NotificationLog, error) {
	rows, err := s.db.Query(ctx, merchantNotifications, mchid, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NotificationLog{}
	for rows.Next() {
		var n NotificationLog
		var created int64
		var delivered *int64
		if err := rows.Scan(&n.ID, &n.EventType, &n.ResourceID, &n.URL, &n.Status, &n.Attempts, &n.LastStatus, &n.LastError, &created, &delivered); err != nil {
			return nil, err
		}
		n.LastError = publicOutcome(n.LastError, n.LastStatus)
		n.CreatedAt = sqldb.FromMicro(created)
		if delivered != nil {
			t := sqldb.FromMicro(*delivered)
			n.DeliveredAt = &t
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
