package merchant_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

var cst = time.FixedZone("CST", 8*3600)

// backdate moves every payment and refund of mchid one day back, so that
// their day is closed and billable.
func backdate(t *testing.T, n *node.Node, mchid string) {
	t.Helper()
	ctx := context.Background()
	day := int64(24 * time.Hour / time.Microsecond)
	if _, err := n.DB.Exec(ctx, `UPDATE orders SET success_time = success_time - ?, created_at = created_at - ? WHERE mchid = ?`, day, day, mchid); err != nil {
		t.Fatal(err)
	}
	if _, err := n.DB.Exec(ctx, `UPDATE refunds SET created_at = created_at - ? WHERE mchid = ?`, day, mchid); err != nil {
		t.Fatal(err)
	}
}

// Bills are made only for closed days, with encoding/csv (a comma or quote
// in a description stays in its column), plain or gzip, and hash_value is
// the SHA-1 of the CSV that is downloaded.
func TestBillsClosedDaysCSVAndGzip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		s := newShop(t, n, "billshop")
		ann := buyer(t, n, "ann", 10_000)
		for i, o := range []struct {
			no, desc string
			amt      int64
		}{{"BILL000000", `Tea, "Oolong"`, 1_200}, {"BILL000001", "Cup,saucer", 3_450}} {
			code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: o.desc, OutTradeNo: o.no,
				NotifyURL: s.notify, Attach: "a,b", Amount: plazapay.Amount{Total: o.amt}})
			if err != nil {
				t.Fatal(i, err)
			}
			payLink(t, ann, code)
		}
		if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "BILL000001", OutRefundNo: "RB1", Amount: plazapay.RefundRequestAmount{Refund: 450, Total: 3_450}}); err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(cst)
		if _, err := s.client.TradeBill(ctx, today.Format("2006-01-02")); !plazapay.IsAPIError(err, "STATEMENT_CREATING") {
			t.Fatalf("today's bill: %v, want STATEMENT_CREATING", err)
		}
		if _, err := s.client.TradeBill(ctx, today.AddDate(0, 0, 2).Format("2006-01-02")); !plazapay.IsAPIError(err, "PARAM_ERROR") {
			t.Fatalf("a future bill: %v, want PARAM_ERROR", err)
		}
		if _, err := s.client.TradeBill(ctx, today.AddDate(0, -4, 0).Format("2006-01-02")); !plazapay.IsAPIError(err, "NO_STATEMENT_EXIST") {
			t.Fatalf("a bill of four months ago: %v, want NO_STATEMENT_EXIST", err)
		}
		backdate(t, n, s.mchid)
		yesterday := today.AddDate(0, 0, -1).Format("2006-01-02")

		plain, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday})
		if err != nil {
			t.Fatal(err)
		}
		file, err := s.client.Download(ctx, plain.DownloadURL)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha1.Sum(file); hex.EncodeToString(sum[:]) != plain.HashValue {
			t.Fatal("hash_value is not the SHA-1 of the download")
		}
		recs, err := readCSV(file)
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, file)
		}
		if len(recs) != 6 || len(recs[0]) != 27 || len(recs[1]) != 27 || len(recs[3]) != 27 || len(recs[5]) != 7 {
			t.Fatalf("layout: %d lines\n%s", len(recs), file)
		}
		if recs[1][6] != "`BILL000000" || recs[1][20] != "`Tea, \"Oolong\"" || recs[1][21] != "`a,b" || recs[1][12] != "`12.00" {
			t.Fatalf("first row: %q", recs[1])
		}
		if recs[3][15] != "`RB1" || recs[3][16] != "`4.50" {
			t.Fatalf("refund row: %q", recs[3])
		}
		if strings.Join(recs[5], ",") != "`3,`46.50,`4.50,`0.00,`0.00000,`46.50,`4.50" {
			t.Fatalf("summary: %q", recs[5])
		}
		if !bytes.HasSuffix(file, []byte("\r\n")) {
			t.Fatal("lines end in CRLF")
		}
		// Asked again, the same file and the same hash (the day is closed).
		again, err := s.client.TradeBill(ctx, yesterday)
		if err != nil || again.HashValue != plain.HashValue {
			t.Fatalf("the bill changed: %v", err)
		}

		gz, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday, TarType: "GZIP"})
		if err != nil || gz.HashValue != plain.HashValue {
			t.Fatalf("gzip bill: %+v %v", gz, err)
		}
		raw, err := s.client.Download(ctx, gz.DownloadURL)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		unz, _ := io.ReadAll(zr)
		if !bytes.Equal(unz, file) {
			t.Fatal("the gzip file is not the plain bill")
		}
		if got, err := s.client.DownloadBill(ctx, gz); err != nil || !bytes.Equal(got, file) {
			t.Fatalf("DownloadBill: %v", err)
		}
		success, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday, BillType: "SUCCESS"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.client.DownloadBill(ctx, success); err != nil || !strings.HasPrefix(string(got), "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称") {
			t.Fatalf("SUCCESS bill: %v\n%s", err, got)
		}

		ff, err := s.client.FundFlowBill(ctx, plazapay.BillRequest{BillDate: yesterday, TarType: "GZIP"})
		if err != nil {
			t.Fatal(err)
		}
		flow, err := s.client.DownloadBill(ctx, ff)
		if err != nil {
			t.Fatal(err)
		}
		recs, err = readCSV(flow)
		if err != nil || len(recs) != 6 || recs[0][0] != "记账时间" {
			t.Fatalf("fund flow bill: %v\n%s", err, flow)
		}
		if recs[1][5] != "`收入" || recs[1][6] != "`12.00" || recs[2][7] != "`46.50" || recs[3][3] != "`退款" || recs[3][7] != "`42.00" {
			t.Fatalf("fund flow rows: %q", recs[1:4])
		}
		if strings.Join(recs[5], ",") != "`3,`2,`46.50,`1,`4.50" {
			t.Fatalf("fund flow summary: %q", recs[5])
		}
		if _, err := s.client.FundFlowBill(ctx, plazapay.BillRequest{BillDate: yesterday, AccountType: "SAVINGS"}); !plazapay.IsAPIError(err, "PARAM_ERROR") {
			t.Fatalf("account_type SAVINGS: %v", err)
		}
		if _, err := other(t, n).client.Download(ctx, gz.DownloadURL); err == nil {
			t.Fatal("another merchant downloaded this bill")
		}
	})
}

func readCSV(b []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}
