package plazapay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// UserAgent is sent with every request (servers may reject requests without one).
const UserAgent = "plazapay-go/1"

// maxResponse bounds the JSON answers Do reads.
const maxResponse = 16 << 20

// Config configures a Client.
type Config struct {
	// BaseURL is the Plaza Pay server, e.g. http://127.0.0.1:8080 (no
	// trailing slash needed; a path prefix is kept).
	BaseURL string
	// MchID is the merchant id (mchid).
	MchID string
	// SerialNo is the serial of the merchant API certificate, sent as
	// serial_no in the Authorization header.
	SerialNo string
	// PrivateKey is the merchant API private key: it signs requests and paySign.
	PrivateKey *rsa.PrivateKey
	// PlatformKey is the Plaza Pay platform public key (pub_key.pem) that
	// signs answers and notifications.
	PlatformKey *rsa.PublicKey
	// PlatformKeyID is its id (PUB_KEY_ID_…); Wechatpay-Serial must equal it.
	PlatformKeyID string
	// Certificates are the platform certificates of a merchant in
	// certificate mode (from DownloadCertificates): an answer whose
	// Wechatpay-Serial is one's serial (uppercase hex) is verified with its
	// key. Either these or PlatformKey and PlatformKeyID are required.
	Certificates []*x509.Certificate
	// APIv3Key is the 32-byte APIv3 key that decrypts notifications. It is
	// needed only by ParseNotification.
	APIv3Key string
	// HTTP is the HTTP client; nil means one with a 30 s timeout.
	HTTP *http.Client
	// Now is the clock for timestamps and skew checks; nil means time.Now.
	Now func() time.Time
}

// Client signs requests to a Plaza Pay server and verifies its answers. Its
// methods are safe for concurrent use. Build it with NewClient.
type Client struct {
	Config
}

// NewClient checks cfg and returns a Client. BaseURL, MchID, SerialNo,
// PrivateKey, and PlatformKey with PlatformKeyID (public-key mode) or
// Certificates (certificate mode) are required; APIv3Key, when set, must be
// 32 bytes.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("plazapay: BaseURL %q is not an http(s) URL without query", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	switch {
	case cfg.MchID == "":
		return nil, errors.New("plazapay: MchID is required")
	case cfg.SerialNo == "":
		return nil, errors.New("plazapay: SerialNo is required")
	case cfg.PrivateKey == nil:
		return nil, errors.New("plazapay: PrivateKey is required")
	case len(cfg.Certificates) == 0 && cfg.PlatformKey == nil:
		return nil, errors.New("plazapay: PlatformKey (or Certificates) is required")
	case len(cfg.Certificates) == 0 && cfg.PlatformKeyID == "":
		return nil, errors.New("plazapay: PlatformKeyID is required")
	case cfg.APIv3Key != "" && len(cfg.APIv3Key) != 32:
		return nil, fmt.Errorf("plazapay: APIv3Key must be 32 bytes, got %d", len(cfg.APIv3Key))
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{Config: cfg}, nil
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// APIError is a non-2xx answer. Code, Message and Detail come from the
// {"code","message","detail"} error body when it parses.
type APIError struct {
	StatusCode int
	Code       string          // e.g. PARAM_ERROR, ORDER_NOT_EXIST
	Message    string          // human-readable, often Chinese
	Detail     json.RawMessage // e.g. {"field":…,"value":…,"issue":…,"location":…}
	Body       []byte          // the raw body
}

func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("plazapay: HTTP %d: %.200s", e.StatusCode, e.Body)
	}
	return fmt.Sprintf("plazapay: HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// IsAPIError reports whether err is (or wraps) an *APIError with the given code.
func IsAPIError(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

func newAPIError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Body: body}
	var eb struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &eb) == nil {
		e.Code, e.Message, e.Detail = eb.Code, eb.Message, eb.Detail
	}
	return e
}

// encodeBody serializes a request body like the official SDK: nil is no
// body, string and []byte are sent as they are, anything else goes through
// json.NewEncoder(…).Encode and so ends in "\n".
func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case string:
		return []byte(b), nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		return nil, fmt.Errorf("plazapay: encode body: %w", err)
	}
	return buf.Bytes(), nil
}

// send makes a signed request to rawURL and reads the answer (up to limit
// bytes; 0 means no limit).
func (c *Client) send(ctx context.Context, method, rawURL string, body any, limit int64) (*http.Response, []byte, error) {
	payload, err := encodeBody(body)
	if err != nil {
		return nil, nil, err
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("plazapay: %w", err)
	}
	auth := Authorization{
		MchID:     c.MchID,
		NonceStr:  NewNonce(),
		Timestamp: strconv.FormatInt(c.now().Unix(), 10),
		SerialNo:  c.SerialNo,
	}
	// The transport sends req.URL.RequestURI() as the request target, which
	// is what the server sees as r.RequestURI.
	msg := RequestMessage(req.Method, req.URL.RequestURI(), auth.Timestamp, auth.NonceStr, payload)
	if auth.Signature, err = Sign(c.PrivateKey, msg); err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", auth.String())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if c.PlatformKeyID != "" {
		req.Header.Set(HeaderSerial, c.PlatformKeyID)
	} else if len(c.Certificates) > 0 {
		req.Header.Set(HeaderSerial, CertificateSerial(newestCertificate(c.Certificates)))
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("plazapay: %s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	r := io.Reader(resp.Body)
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("plazapay: %s %s: reading answer: %w", method, req.URL.Path, err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("plazapay: %s %s: answer exceeds %d bytes", method, req.URL.Path, limit)
	}
	return resp, data, nil
}

// Do sends a signed request for path (which may carry ?query) relative to
// BaseURL. body is nil (GET), a string or []byte sent as is, or a value
// JSON-encoded with json.NewEncoder like the official SDK (ending in "\n").
//
// A 2xx answer, 204 included, must carry Wechatpay-Timestamp within
// MaxClockSkew of now, Wechatpay-Nonce, Wechatpay-Serial equal to
// PlatformKeyID and a Wechatpay-Signature over the raw body that verifies with
// PlatformKey; otherwise Do returns an error wrapping ErrVerification. A
// non-2xx answer is returned as *APIError, unverified. When out is not nil and
// the body is not empty, the JSON answer is decoded into out.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("plazapay: path %q does not start with /", path)
	}
	resp, data, err := c.send(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body, maxResponse)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp.StatusCode, data)
	}
	if err := c.verifySigned(resp.Header, data); err != nil {
		return fmt.Errorf("plazapay: %s %s: %w", method, path, err)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("plazapay: %s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// verifySigned checks the Wechatpay-* signature headers of an answer or a
// notification against its raw body.
func (c *Client) verifySigned(h http.Header, body []byte) error {
	ts, nonce := h.Get(HeaderTimestamp), h.Get(HeaderNonce)
	sig, serial := h.Get(HeaderSignature), h.Get(HeaderSerial)
	for _, hv := range [][2]string{{HeaderTimestamp, ts}, {HeaderNonce, nonce}, {HeaderSignature, sig}, {HeaderSerial, serial}} {
		if hv[1] == "" {
			return fmt.Errorf("%w: missing %s", ErrVerification, hv[0])
		}
	}
	if st := h.Get(HeaderSignatureType); st != "" && st != Scheme {
		return fmt.Errorf("%w: unsupported %s %q", ErrVerification, HeaderSignatureType, st)
	}
	key := c.verifierFor(serial)
	if key == nil {
		return fmt.Errorf("%w: %s %q is neither the platform key id %q nor a known platform certificate", ErrVerification, HeaderSerial, serial, c.PlatformKeyID)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: bad %s %q", ErrVerification, HeaderTimestamp, ts)
	}
	skew := c.now().Sub(time.Unix(sec, 0))
	if skew >= MaxClockSkew || skew <= -MaxClockSkew {
		return fmt.Errorf("%w: %s %s is %v away from now", ErrVerification, HeaderTimestamp, ts, skew.Round(time.Second))
	}
	if err := Verify(key, ResponseMessage(ts, nonce, body), sig); err != nil {
		return fmt.Errorf("%w: %w", ErrVerification, err)
	}
	return nil
}

// verifierFor is the key that Wechatpay-Serial serial names: the platform
// public key by its id, or a platform certificate by its serial (exact
// match, as the official SDK does).
func (c *Client) verifierFor(serial string) *rsa.PublicKey {
	if c.PlatformKey != nil && serial == c.PlatformKeyID {
		return c.PlatformKey
	}
	for _, cert := range c.Certificates {
		if k, ok := cert.PublicKey.(*rsa.PublicKey); ok && CertificateSerial(cert) == serial {
			return k
		}
	}
	return nil
}
