package wxv3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

const (
	insertNotification = `INSERT INTO notifications (id, mchid, url, event_type, resource_id, body, status, attempts, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`
	dueNotifications = `SELECT id, mchid, url, body, attempts FROM notifications
		WHERE status = 'pending' AND next_at <= ? AND locked_until <= ? ORDER BY next_at LIMIT 50`
	// Optimistic claim: one node delivers each attempt.
	claimNotification = `UPDATE notifications SET locked_until = ? WHERE id = ? AND status = 'pending' AND locked_until <= ?`
	finishAttempt     = `UPDATE notifications SET status = ?, attempts = attempts + 1, next_at = ?, locked_until = 0,
		last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?`
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

// Deliver sends the notifications that are due, once each per attempt
// across all nodes, and schedules retries on WeChat's timetable until the
// merchant answers 2xx. It returns how many it tried.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.db.Query(ctx, dueNotifications, sqldb.Micro(now), sqldb.Micro(now))
	if err != nil {
		return 0, err
	}
	type due struct {
		id, mchid, url, body string
		attempts             int
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.mchid, &d.url, &d.body, &d.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	tried := 0
	for _, d := range list {
		res, err := s.db.Exec(ctx, claimNotification, sqldb.Micro(now.Add(time.Minute)), d.id, sqldb.Micro(now))
		if err != nil {
			return tried, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another node has it
		}
		tried++
		status, sendErr := s.send(ctx, d.mchid, d.url, []byte(d.body))
		state, next, delivered := "pending", now, any(nil)
		msg := ""
		if sendErr != nil {
			msg = sendErr.Error()
		}
		switch {
		case sendErr == nil && status >= 200 && status < 300:
			state, delivered = "delivered", sqldb.Micro(s.now())
		case d.attempts >= len(s.retry):
			state = "failed"
		default:
			next = s.now().Add(s.retry[d.attempts])
		}
		if _, err := s.db.Exec(ctx, finishAttempt, state, sqldb.Micro(next), status, truncate(msg, 200), delivered, d.id); err != nil {
			return tried, err
		}
	}
	return tried, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// send posts one signed notification to merchant mchid and returns its
// status. Wechatpay-Serial follows the merchant's platform mode.
func (s *Service) send(ctx context.Context, mchid, url string, body []byte) (int, error) {
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
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("the merchant answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// NotificationLog is one notification as its merchant sees it.
type NotificationLog struct {
	ID          string     `json:"id"`
	EventType   string     `json:"event_type"`
	ResourceID  string     `json:"resource_id"`
	URL         string     `json:"url"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error"`
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
		n.CreatedAt = sqldb.FromMicro(created)
		if delivered != nil {
			t := sqldb.FromMicro(*delivered)
			n.DeliveredAt = &t
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
