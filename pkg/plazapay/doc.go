// Package plazapay is the Go client for Plaza Pay, a payment service that is
// wire-compatible with WeChat Pay API v3. It also exports the wire primitives
// (signing strings, Authorization headers, AEAD_AES_256_GCM, paySign, PEM
// keys) that the Plaza Pay server itself uses, so the format lives in one
// place.
//
// # Installing
//
// plazapay is a module of its own, github.com/plaza-dev/plaza/pkg/plazapay,
// apart from the Plaza server's module: it needs Go 1.23 or later and
// nothing beyond the standard library, so a shop adds it without any of
// Plaza's dependencies:
//
//	go get github.com/plaza-dev/plaza/pkg/plazapay@latest
//
// Releases are tagged pkg/plazapay/vX.Y.Z in Plaza's repository (the Go
// convention for a module in a subdirectory); before the first tag,
// @latest resolves to the newest commit.
//
// # Usage
//
//	key, _ := plazapay.ParsePrivateKeyPEM(apiclientKeyPEM)
//	pub, _ := plazapay.ParsePublicKeyPEM(platformPubKeyPEM)
//	c, err := plazapay.NewClient(plazapay.Config{BaseURL: "http://127.0.0.1:8080",
//		MchID: "1900000001", SerialNo: "5157F09EFDC096DE", PrivateKey: key,
//		PlatformKey: pub, PlatformKeyID: "PUB_KEY_ID_0119000000012025", APIv3Key: apiV3Key})
//	prepayID, err := c.PrepayJSAPI(ctx, plazapay.JSAPIRequest{AppID: "wx1234", Description: "Tea",
//		OutTradeNo: "T20250101001", NotifyURL: "https://shop.example/notify",
//		Amount: plazapay.Amount{Total: 100}, Payer: plazapay.Payer{OpenID: openid}})
//	params, err := c.RequestPayment("wx1234", prepayID) // hand to wx.requestPayment
//	// in the notify_url handler: n, plaintext, err := c.ParseNotification(r)
//
// A merchant in certificate mode (platform_mode "certificate") downloads the
// platform certificates instead of configuring a public key:
//
//	cfg := plazapay.Config{BaseURL: …, MchID: …, SerialNo: …, PrivateKey: key, APIv3Key: apiV3Key}
//	cfg.Certificates, err = plazapay.DownloadCertificates(ctx, cfg)
//	c, err := plazapay.NewClient(cfg)
//
// Apps use PrepayApp and AppPayment; bills TradeBillWith / FundFlowBill and
// DownloadBill, which checks hash_value.
package plazapay
