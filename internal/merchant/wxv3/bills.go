package wxv3

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Bills, as WeChat serves them (the rules are merchant.BillLink's):
//
//	GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL|SUCCESS|REFUND&tar_type=GZIP
//	GET /v3/bill/fundflowbill?bill_date=YYYY-MM-DD&account_type=BASIC|OPERATION|FEES&tar_type=GZIP
//
// answer {hash_type:"SHA1", hash_value, download_url}; the URL, fetched
// with an ordinary signed GET within five minutes, returns the file
// (unsigned, as WeChat's is), gzip-compressed when tar_type=GZIP.

// billAnswer is the answer to a bill request.
type billAnswer struct {
	DownloadURL string `json:"download_url"`
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
}

func (h *Handler) tradeBill(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	typ := r.URL.Query().Get("bill_type")
	if typ == "" {
		typ = "ALL"
	}
	if typ != "ALL" && typ != "SUCCESS" && typ != "REFUND" {
		return 0, nil, merchant.ParamError("/bill_type", "bill_type is ALL, SUCCESS or REFUND.")
	}
	return h.billURL(r, merchant.Bill{Kind: "trade", MchID: m.MchID, Type: typ})
}

func (h *Handler) fundFlowBill(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	typ := r.URL.Query().Get("account_type")
	if typ == "" {
		typ = "BASIC"
	}
	if typ != "BASIC" && typ != "OPERATION" && typ != "FEES" {
		return 0, nil, merchant.ParamError("/account_type", "account_type is BASIC, OPERATION or FEES.")
	}
	return h.billURL(r, merchant.Bill{Kind: "fundflow", MchID: m.MchID, Type: typ})
}

func (h *Handler) billURL(r *http.Request, b merchant.Bill) (int, any, error) {
	q := r.URL.Query()
	day, err := time.Parse("2006-01-02", q.Get("bill_date"))
	if err != nil {
		return 0, nil, merchant.ParamError("/bill_date", "bill_date is YYYY-MM-DD.")
	}
	b.Day = day.Format("2006-01-02")
	switch tar := q.Get("tar_type"); tar {
	case "":
	case "GZIP":
		b.Gzip = true
	default:
		return 0, nil, merchant.ParamError("/tar_type", "tar_type is GZIP or absent.")
	}
	hash, token, err := h.Service.BillLink(r.Context(), b)
	if err != nil {
		return 0, nil, err
	}
	return 200, billAnswer{HashType: "SHA1", HashValue: hash,
		DownloadURL: httpx.BaseURL(r) + "/v3/billdownload/file?token=" + token}, nil
}

// billDownload serves the bill file: the token binds it to the merchant,
// the day, the type and the compression, for five minutes; the answer is
// not signed, as WeChat's is not. It is streamed as it is rendered.
func (h *Handler) billDownload(w http.ResponseWriter, r *http.Request) {
	s := h.Service
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxV3Body))
	m, err := verify(r.Context(), s, r, body)
	if err != nil {
		h.respond(w, r, nil, 0, nil, err)
		return
	}
	b, ok := s.OpenBill(r.URL.Query().Get("token"), m.MchID)
	if !ok {
		h.respond(w, r, &m, 0, nil, v3err(400, "INVALID_REQUEST", "The download token is not valid or has expired."))
		return
	}
	var out io.Writer = w
	var zw *gzip.Writer
	if b.Gzip {
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.Kind+`bill-`+b.Day+`.csv.gz"`)
		zw = gzip.NewWriter(w)
		out = zw
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.Kind+`bill-`+b.Day+`.csv"`)
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	if err := s.WriteBill(r.Context(), bw, b); err == nil {
		err = bw.Flush()
		if err == nil && zw != nil {
			err = zw.Close()
		}
		if err == nil {
			return
		}
	} else {
		httpx.Logger(r.Context()).Error("rendering a bill", "err", err, "mchid", m.MchID, "day", b.Day)
	}
	// Part of the file may be out already: cut the connection so that the
	// client sees a broken download (and a hash that does not match), not
	// a short file.
	panic(http.ErrAbortHandler)
}

// The answer of GET /v3/certificates.
type (
	certificatesAnswer struct {
		Data []certificateItem `json:"data"`
	}
	certificateItem struct {
		EffectiveTime      string               `json:"effective_time"`
		EncryptCertificate encryptedCertificate `json:"encrypt_certificate"`
		ExpireTime         string               `json:"expire_time"`
		SerialNo           string               `json:"serial_no"`
	}
	encryptedCertificate struct {
		Algorithm      string `json:"algorithm"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
		Nonce          string `json:"nonce"`
	}
)

// GET /v3/certificates: for certificate-mode merchants, the platform
// certificate sealed with AEAD_AES_256_GCM under the merchant's APIv3 key
// (associated data "certificate"), as WeChat serves it; public-key
// merchants get WeChat's 404 RESOURCE_NOT_EXISTS.
func (h *Handler) certificates(r *http.Request, m merchant.Merchant, _ []byte) (int, any, error) {
	c, err := h.Service.SealedCertificate(m)
	if err != nil {
		return 0, nil, err
	}
	return 200, certificatesAnswer{Data: []certificateItem{{
		SerialNo:      c.SerialNo,
		EffectiveTime: c.EffectiveTime.Format(time.RFC3339),
		ExpireTime:    c.ExpireTime.Format(time.RFC3339),
		EncryptCertificate: encryptedCertificate{
			Algorithm: "AEAD_AES_256_GCM", Nonce: c.Nonce, AssociatedData: "certificate", Ciphertext: c.Ciphertext,
		},
	}}}, nil
}
