package plazapay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Header names and limits of the response and notification signature.
const (
	HeaderTimestamp     = "Wechatpay-Timestamp"      // unix seconds
	HeaderNonce         = "Wechatpay-Nonce"          // random string
	HeaderSignature     = "Wechatpay-Signature"      // base64 SHA256withRSA over ResponseMessage
	HeaderSerial        = "Wechatpay-Serial"         // platform key id (PUB_KEY_ID_…) or certificate serial
	HeaderSignatureType = "Wechatpay-Signature-Type" // Scheme
	HeaderRequestID     = "Request-ID"               // set on every response

	// MaxClockSkew is the largest accepted |now − Wechatpay-Timestamp|
	// (exclusive), as in the official SDK.
	MaxClockSkew = 300 * time.Second
)

// ErrVerification is wrapped by every error reporting a response or
// notification whose signature headers do not check out.
var ErrVerification = errors.New("plazapay: signature verification failed")

// RequestMessage is the string a merchant signs for a request:
// METHOD\nURI\nTIMESTAMP\nNONCE\nBODY\n, where URI is the path?query exactly
// as sent (r.RequestURI on the server) and BODY the raw body ("" for GET).
func RequestMessage(method, uri, timestamp, nonce string, body []byte) []byte {
	b := make([]byte, 0, len(method)+len(uri)+len(timestamp)+len(nonce)+len(body)+5)
	b = append(append(b, method...), '\n')
	b = append(append(b, uri...), '\n')
	b = append(append(b, timestamp...), '\n')
	b = append(append(b, nonce...), '\n')
	return append(append(b, body...), '\n')
}

// ResponseMessage is the string Plaza signs for responses and notifications:
// TIMESTAMP\nNONCE\nBODY\n (BODY is empty for a 204).
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	b := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3)
	b = append(append(b, timestamp...), '\n')
	b = append(append(b, nonce...), '\n')
	return append(append(b, body...), '\n')
}

// Sign signs message with SHA256withRSA (RSASSA-PKCS1-v1_5) and returns the
// signature in standard base64.
func Sign(key *rsa.PrivateKey, message []byte) (string, error) {
	if key == nil {
		return "", errors.New("plazapay: sign: nil private key")
	}
	sum := sha256.Sum256(message)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("plazapay: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a standard-base64 SHA256withRSA signature of message.
func Verify(key *rsa.PublicKey, message []byte, signature string) error {
	if key == nil {
		return errors.New("plazapay: verify: nil public key")
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("plazapay: verify: signature is not base64: %w", err)
	}
	sum := sha256.Sum256(message)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("plazapay: verify: %w", err)
	}
	return nil
}

// payMessage is appId\ntimeStamp\nnonceStr\npackage\n.
func payMessage(appID, timeStamp, nonceStr, pkg string) []byte {
	return []byte(appID + "\n" + timeStamp + "\n" + nonceStr + "\n" + pkg + "\n")
}

// PaySign is the JSAPI / mini-program payment signature: SHA256withRSA with
// the merchant key over appId\ntimeStamp\nnonceStr\npackage\n, where pkg is
// "prepay_id=…". signType ("RSA") is not part of the signed string.
func PaySign(key *rsa.PrivateKey, appID, timeStamp, nonceStr, pkg string) (string, error) {
	return Sign(key, payMessage(appID, timeStamp, nonceStr, pkg))
}

// VerifyPaySign checks a paySign made by PaySign, with the merchant public key.
func VerifyPaySign(key *rsa.PublicKey, appID, timeStamp, nonceStr, pkg, paySign string) error {
	return Verify(key, payMessage(appID, timeStamp, nonceStr, pkg), paySign)
}

// appPayMessage is appid\ntimestamp\nnoncestr\nprepayid\n: the App
// payment's signed string (the bare prepay_id, no "prepay_id=" prefix).
func appPayMessage(appID, timeStamp, nonceStr, prepayID string) []byte {
	return []byte(appID + "\n" + timeStamp + "\n" + nonceStr + "\n" + prepayID + "\n")
}

// AppPaySign is the App payment signature ("调起支付" for apps):
// SHA256withRSA with the merchant key over
// appid\ntimestamp\nnoncestr\nprepayid\n.
func AppPaySign(key *rsa.PrivateKey, appID, timeStamp, nonceStr, prepayID string) (string, error) {
	return Sign(key, appPayMessage(appID, timeStamp, nonceStr, prepayID))
}

// VerifyAppPaySign checks a sign made by AppPaySign, with the merchant public key.
func VerifyAppPaySign(key *rsa.PublicKey, appID, timeStamp, nonceStr, prepayID, sign string) error {
	return Verify(key, appPayMessage(appID, timeStamp, nonceStr, prepayID), sign)
}

const nonceAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewNonce returns 32 characters of [0-9A-Za-z] drawn uniformly from
// crypto/rand.
func NewNonce() string {
	out := make([]byte, 0, 32)
	var buf [48]byte
	for len(out) < 32 {
		rand.Read(buf[:]) // never fails (crypto/rand, Go ≥ 1.24)
		for _, b := range buf {
			// 248 = 4·62: rejecting larger bytes keeps b%62 unbiased.
			if b < 248 && len(out) < 32 {
				out = append(out, nonceAlphabet[b%62])
			}
		}
	}
	return string(out)
}
