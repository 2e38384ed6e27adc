package plazapay

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
	"time"
)

// A client in certificate mode verifies answers with the certificate whose
// serial Wechatpay-Serial names, and nothing else.
func TestCertificateModeVerifier(t *testing.T) {
	mk, pk, _ := testKeys(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x5157F09E), Subject: pkix.Name{CommonName: "platform"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &pk.PublicKey, pk)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if CertificateSerial(cert) != "5157F09E" {
		t.Fatalf("serial %s", CertificateSerial(cert))
	}
	f := newFakeServer(t)
	c, err := NewClient(Config{BaseURL: f.URL, MchID: testMchID, SerialNo: testSerial, PrivateKey: mk, Certificates: []*x509.Certificate{cert},
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeServer) { f.serial = "5157F09E" })
	if _, err := c.QueryByOutTradeNo(context.Background(), "T1"); err != nil {
		t.Fatalf("an answer under the certificate: %v", err)
	}
	f.set(func(f *fakeServer) { f.serial = testKeyID })
	if _, err := c.QueryByOutTradeNo(context.Background(), "T1"); !errors.Is(err, ErrVerification) {
		t.Fatalf("an answer under an unknown serial: %v", err)
	}
	if _, err := NewClient(Config{BaseURL: f.URL, MchID: testMchID, SerialNo: testSerial, PrivateKey: mk}); err == nil {
		t.Fatal("a client with neither a platform key nor certificates")
	}
}

// The App payment signs appid\ntimestamp\nnoncestr\nprepayid\n (no
// "prepay_id=" prefix), with partnerid the mchid and package Sign=WXPay.
func TestAppPayment(t *testing.T) {
	mk, _, _ := testKeys(t)
	c := newTestClient(t, "http://127.0.0.1:1")
	p, err := c.AppPayment(testAppID, "wx201410272009395522657a690389285100")
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeStamp != "1735689600" || p.PartnerID != testMchID || p.Package != "Sign=WXPay" || p.PrepayID != "wx201410272009395522657a690389285100" || len(p.NonceStr) != 32 {
		t.Fatalf("params %+v", p)
	}
	if err := Verify(&mk.PublicKey, []byte(testAppID+"\n"+p.TimeStamp+"\n"+p.NonceStr+"\n"+p.PrepayID+"\n"), p.Sign); err != nil {
		t.Fatalf("sign is not over appid\\ntimestamp\\nnoncestr\\nprepayid\\n: %v", err)
	}
	if err := VerifyAppPaySign(&mk.PublicKey, p.AppID, p.TimeStamp, p.NonceStr, "prepay_id="+p.PrepayID, p.Sign); err == nil {
		t.Fatal("the prefixed package verified")
	}
}

// DownloadBill checks the SHA-1 of the file.
func TestDownloadBillChecksHash(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL)
	b, err := c.TradeBill(context.Background(), "2025-01-01")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(testBillFile))
	b.HashValue = hex.EncodeToString(sum[:])
	if got, err := c.DownloadBill(context.Background(), b); err != nil || string(got) != testBillFile {
		t.Fatalf("%q %v", got, err)
	}
	b.HashValue = "00" + b.HashValue[2:]
	if _, err := c.DownloadBill(context.Background(), b); !errors.Is(err, ErrVerification) {
		t.Fatalf("a wrong hash: %v", err)
	}
}
