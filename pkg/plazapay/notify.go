package plazapay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxNotification bounds the notification bodies ParseNotification reads.
const maxNotification = 1 << 20

// ParseNotification reads and checks a notification POSTed to notify_url:
// the Wechatpay-* headers must verify over the raw body (skew below
// MaxClockSkew, Wechatpay-Serial equal to PlatformKeyID), the resource
// algorithm must be AEAD_AES_256_GCM, and the resource must decrypt with
// APIv3Key. It returns the envelope and the plaintext (a Transaction for
// TRANSACTION.*, the refund JSON with refund_status for REFUND.*). r.Body is
// consumed and replaced by a reader over the same bytes.
//
// Answer 200 or 204 on success; on failure answer 4xx/5xx with
// {"code":"FAIL","message":"…"} and the server will retry.
func (c *Client) ParseNotification(r *http.Request) (*Notification, []byte, error) {
	if r.Body == nil {
		return nil, nil, errors.New("plazapay: notification: no body")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotification+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("plazapay: notification: %w", err)
	}
	if len(body) > maxNotification {
		return nil, nil, fmt.Errorf("plazapay: notification: body exceeds %d bytes", maxNotification)
	}
	if err := c.verifySigned(r.Header, body); err != nil {
		return nil, nil, fmt.Errorf("plazapay: notification: %w", err)
	}
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, nil, fmt.Errorf("plazapay: notification: %w", err)
	}
	if n.Resource.Algorithm != AlgorithmAEAD {
		return nil, nil, fmt.Errorf("plazapay: notification: unsupported algorithm %q", n.Resource.Algorithm)
	}
	pt, err := DecryptAEAD(c.APIv3Key, n.Resource.Nonce, n.Resource.AssociatedData, n.Resource.Ciphertext)
	if err != nil {
		return nil, nil, fmt.Errorf("plazapay: notification: %w", err)
	}
	return &n, pt, nil
}
