package merchant

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Bills, as WeChat serves them:
//
//	GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL|SUCCESS|REFUND&tar_type=GZIP
//	GET /v3/bill/fundflowbill?bill_date=YYYY-MM-DD&account_type=BASIC|OPERATION|FEES&tar_type=GZIP
//
// answer {hash_type:"SHA1", hash_value, download_url}; the URL, fetched
// with an ordinary signed GET within five minutes, returns the file
// (unsigned, as WeChat's is): CSV in WeChat's layout (a header line, the
// detail rows with every field prefixed by a backtick, a summary header
// and a summary row; amounts in yuan; CRLF), written with encoding/csv so
// that a comma or quote in a description cannot shift columns, and
// gzip-compressed when tar_type=GZIP. hash_value is the SHA-1 of the plain
// CSV (after decompression, as WeChat's SDKs check it).
//
// Only closed days are billed (China time): the bill for today answers 400
// STATEMENT_CREATING and a future day 400 PARAM_ERROR, so a day's file
// never changes and its hash always matches the download. Days more than
// three months back answer 400 NO_STATEMENT_EXIST. Files are rendered
// from the database as they are sent, never held whole in memory.

const (
	billURLTTL  = 5 * time.Minute
	billHistory = 92 * 24 * time.Hour
	// billClosedAfter is how long after midnight a day is billed: enough
	// for a payment committed at 23:59:59 on a node with a slow clock.
	billClosedAfter = time.Minute
)

// billSpec names one bill file.
type billSpec struct {
	kind  string // "trade" or "fundflow"
	mchid string
	day   string // YYYY-MM-DD
	typ   string // ALL|SUCCESS|REFUND, or BASIC|OPERATION|FEES
	gzip  bool
}

func (b billSpec) payload(exp int64) string {
	tar := ""
	if b.gzip {
		tar = "GZIP"
	}
	return strings.Join([]string{b.kind, b.mchid, b.day, b.typ, tar, strconv.FormatInt(exp, 10)}, "|")
}

func (h *Handler) tradeBill(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	typ := r.URL.Query().Get("bill_type")
	if typ == "" {
		typ = "ALL"
	}
	if typ != "ALL" && typ != "SUCCESS" && typ != "REFUND" {
		return 0, nil, paramError("/bill_type", "bill_type is ALL, SUCCESS or REFUND.")
	}
	return h.billURL(r, billSpec{kind: "trade", mchid: m.MchID, typ: typ})
}

func (h *Handler) fundFlowBill(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	typ := r.URL.Query().Get("account_type")
	if typ == "" {
		typ = "BASIC"
	}
	if typ != "BASIC" && typ != "OPERATION" && typ != "FEES" {
		return 0, nil, paramError("/account_type", "account_type is BASIC, OPERATION or FEES.")
	}
	return h.billURL(r, billSpec{kind: "fundflow", mchid: m.MchID, typ: typ})
}

func (h *Handler) billURL(r *http.Request, b billSpec) (int, any, error) {
	s := h.Service
	q := r.URL.Query()
	day, err := time.ParseInLocation("2006-01-02", q.Get("bill_date"), chinaTime)
	if err != nil {
		return 0, nil, paramError("/bill_date", "bill_date is YYYY-MM-DD.")
	}
	b.day = day.Format("2006-01-02")
	switch tar := q.Get("tar_type"); tar {
	case "":
	case "GZIP":
		b.gzip = true
	default:
		return 0, nil, paramError("/tar_type", "tar_type is GZIP or absent.")
	}
	now := s.now()
	today := time.Date(now.In(chinaTime).Year(), now.In(chinaTime).Month(), now.In(chinaTime).Day(), 0, 0, 0, 0, chinaTime)
	switch {
	case day.After(today):
		return 0, nil, paramError("/bill_date", "bill_date %s is in the future.", b.day)
	case now.Before(day.Add(24*time.Hour + billClosedAfter)):
		return 0, nil, v3err(400, "STATEMENT_CREATING", "The bill for %s is made once the day is over; ask again tomorrow.", b.day)
	case day.Before(today.Add(-billHistory)):
		return 0, nil, v3err(400, "NO_STATEMENT_EXIST", "Bills are kept for three months; %s is older.", b.day)
	}
	sum := sha1.New()
	if err := s.writeBill(r.Context(), sum, b); err != nil {
		return 0, nil, err
	}
	exp := now.Add(billURLTTL).Unix()
	return 200, map[string]string{"hash_type": "SHA1", "hash_value": hex.EncodeToString(sum.Sum(nil)),
		"download_url": httpx.BaseURL(r) + "/v3/billdownload/file?token=" + s.billToken(b, exp)}, nil
}

func (s *Service) billToken(b billSpec, exp int64) string {
	payload := b.payload(exp)
	m := hmac.New(sha256.New, s.billKey)
	m.Write([]byte("bill|" + payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseBillToken checks a download token for merchant mchid.
func (s *Service) parseBillToken(token, mchid string) (billSpec, bool) {
	payloadB64, _, ok := strings.Cut(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(payloadB64)
	parts := strings.Split(string(payload), "|")
	if !ok || err != nil || len(parts) != 6 || parts[1] != mchid {
		return billSpec{}, false
	}
	b := billSpec{kind: parts[0], mchid: parts[1], day: parts[2], typ: parts[3], gzip: parts[4] == "GZIP"}
	exp, err := strconv.ParseInt(parts[5], 10, 64)
	if err != nil || !hmac.Equal([]byte(s.billToken(b, exp)), []byte(token)) || s.now().Unix() > exp {
		return billSpec{}, false
	}
	return b, true
}

// billDownload serves the bill file: the token binds it to the merchant,
// the day, the type and the compression, for five minutes; the answer is
// not signed, as WeChat's is not. It is streamed as it is rendered.
func (h *Handler) billDownload(w http.ResponseWriter, r *http.Request) {
	s := h.Service
	body, _ := readAll(r)
	m, err := s.verify(r.Context(), r, body)
	if err != nil {
		h.respond(w, r, nil, 0, nil, err)
		return
	}
	b, ok := s.parseBillToken(r.URL.Query().Get("token"), m.MchID)
	if !ok {
		h.respond(w, r, &m, 0, nil, v3err(400, "INVALID_REQUEST", "The download token is not valid or has expired."))
		return
	}
	var out io.Writer = w
	var zw *gzip.Writer
	if b.gzip {
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.kind+`bill-`+b.day+`.csv.gz"`)
		zw = gzip.NewWriter(w)
		out = zw
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.kind+`bill-`+b.day+`.csv"`)
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	if err := s.writeBill(r.Context(), bw, b); err == nil {
		err = bw.Flush()
		if err == nil && zw != nil {
			err = zw.Close()
		}
		if err == nil {
			return
		}
	} else {
		httpx.Logger(r.Context()).Error("rendering a bill", "err", err, "mchid", m.MchID, "day", b.day)
	}
	// Part of the file may be out already: cut the connection so that the
	// client sees a broken download (and a hash that does not match), not
	// a short file.
	panic(http.ErrAbortHandler)
}

func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// billWriter writes WeChat's CSV: headers plain, data fields each
// prefixed with a backtick, CRLF line ends.
type billWriter struct{ c *csv.Writer }

func newBillWriter(w io.Writer) billWriter {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	return billWriter{c}
}

func (b billWriter) header(fields string) error { return b.c.Write(strings.Split(fields, ",")) }

func (b billWriter) row(fields ...string) error {
	rec := make([]string, len(fields))
	for i, f := range fields {
		rec[i] = "`" + f
	}
	return b.c.Write(rec)
}

func (b billWriter) flush() error { b.c.Flush(); return b.c.Error() }

func (s *Service) writeBill(ctx context.Context, w io.Writer, b billSpec) error {
	day, err := time.ParseInLocation("2006-01-02", b.day, chinaTime)
	if err != nil {
		return err
	}
	if b.kind == "fundflow" {
		return s.writeFundFlowBill(ctx, w, b.mchid, day, b.typ)
	}
	return s.writeTradeBill(ctx, w, b.mchid, day, b.typ)
}

const (
	tradeBillHeader   = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
	tradeBillSuccess  = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注"
	tradeBillSummary  = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
	fundFlowHeader    = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号"
	fundFlowSummary   = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
	billTimeLayout    = "2006-01-02 15:04:05"
	selectBillOrders  = `SELECT ` + orderColumns + ` FROM orders WHERE mchid = ? AND success_time >= ? AND success_time < ? ORDER BY success_time, transaction_id`
	selectBillRefunds = `SELECT r.refund_id, r.out_refund_no, r.amount, r.created_at, o.transaction_id, o.out_trade_no,
			o.appid, o.payer_openid, o.trade_type, o.currency, o.total, o.description, o.attach
			FROM refunds r JOIN orders o ON o.transaction_id = r.transaction_id
			WHERE r.mchid = ? AND r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.refund_id`
)

// writeTradeBill renders one China-time day of a merchant's payments and
// refunds.
func (s *Service) writeTradeBill(ctx context.Context, w io.Writer, mchid string, day time.Time, typ string) error {
	from, to := sqldb.Micro(day), sqldb.Micro(day.Add(24*time.Hour))
	bw := newBillWriter(w)
	header := tradeBillHeader
	if typ == "SUCCESS" {
		header = tradeBillSuccess
	}
	if err := bw.header(header); err != nil {
		return err
	}
	var count, paid, refunded int64
	if typ != "REFUND" {
		rows, err := s.db.Query(ctx, selectBillOrders, mchid, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return err
			}
			count++
			paid += o.Total
			at := o.SuccessTime.In(chinaTime).Format(billTimeLayout)
			if typ == "SUCCESS" {
				err = bw.row(at, o.AppID, o.MchID, "", "", o.TransactionID, o.OutTradeNo, o.PayerOpenID, o.TradeType, "SUCCESS", "OTHERS",
					o.Currency, yuan(o.Total), "0.00", o.Description, o.Attach, "0.00000", "0.00%", yuan(o.Total), "")
			} else {
				err = bw.row(at, o.AppID, o.MchID, "", "", o.TransactionID, o.OutTradeNo, o.PayerOpenID, o.TradeType, "SUCCESS", "OTHERS",
					o.Currency, yuan(o.Total), "0.00", "0", "0", "0.00", "0.00", "", "", o.Description, o.Attach, "0.00000", "0.00%",
					yuan(o.Total), "0.00", "")
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if typ != "SUCCESS" {
		rows, err := s.db.Query(ctx, selectBillRefunds, mchid, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rid, rno, txid, otn, appid, openid, tt, cur, desc, attach string
			var amt, created, total int64
			if err := rows.Scan(&rid, &rno, &amt, &created, &txid, &otn, &appid, &openid, &tt, &cur, &total, &desc, &attach); err != nil {
				rows.Close()
				return err
			}
			count++
			refunded += amt
			if err := bw.row(sqldb.FromMicro(created).In(chinaTime).Format(billTimeLayout), appid, mchid, "", "", txid, otn, openid, tt,
				"REFUND", "OTHERS", cur, "0.00", "0.00", rid, rno, yuan(amt), "0.00", "ORIGINAL", "SUCCESS", desc, attach,
				"0.00000", "0.00%", yuan(total), yuan(amt), ""); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if err := bw.header(tradeBillSummary); err != nil {
		return err
	}
	if err := bw.row(strconv.FormatInt(count, 10), yuan(paid), yuan(refunded), "0.00", "0.00000", yuan(paid), yuan(refunded)); err != nil {
		return err
	}
	return bw.flush()
}

// writeFundFlowBill renders one China-time day of the merchant's basic
// account as Plaza Pay moved it: each payment in (交易, 收入) and each
// refund out (退款, 支出), in time order, with the balance after each
// (counted from the merchant's payments and refunds since it began). The
// operation and fees accounts have no movements on Plaza Pay (no fees are
// charged): their bills have headers and a zero summary.
func (s *Service) writeFundFlowBill(ctx context.Context, w io.Writer, mchid string, day time.Time, account string) error {
	from, to := sqldb.Micro(day), sqldb.Micro(day.Add(24*time.Hour))
	bw := newBillWriter(w)
	if err := bw.header(fundFlowHeader); err != nil {
		return err
	}
	var nIn, nOut, sumIn, sumOut int64
	if account == "BASIC" {
		var balance int64
		err := s.db.QueryRow(ctx, `SELECT
			COALESCE((SELECT SUM(total) FROM orders WHERE mchid = ? AND success_time IS NOT NULL AND success_time < ?), 0) -
			COALESCE((SELECT SUM(amount) FROM refunds WHERE mchid = ? AND created_at < ?), 0)`, mchid, from, mchid, from).Scan(&balance)
		if err != nil {
			return err
		}
		rows, err := s.db.Query(ctx, `SELECT at, txid, flow, amount, dir, voucher FROM (
				SELECT success_time AS at, transaction_id AS txid, transaction_id AS flow, total AS amount, 'in' AS dir, out_trade_no AS voucher
					FROM orders WHERE mchid = ? AND success_time >= ? AND success_time < ?
				UNION ALL
				SELECT created_at, transaction_id, refund_id, amount, 'out', out_refund_no
					FROM refunds WHERE mchid = ? AND created_at >= ? AND created_at < ?
			) f ORDER BY at, flow`, mchid, from, to, mchid, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var at, amount int64
			var txid, flow, dir, voucher string
			if err := rows.Scan(&at, &txid, &flow, &amount, &dir, &voucher); err != nil {
				rows.Close()
				return err
			}
			name, kind := "交易", "收入"
			if dir == "out" {
				name, kind = "退款", "支出"
				balance -= amount
				nOut++
				sumOut += amount
			} else {
				balance += amount
				nIn++
				sumIn += amount
			}
			if err := bw.row(sqldb.FromMicro(at).In(chinaTime).Format(billTimeLayout), txid, flow, name, name, kind, yuan(amount),
				yuan(balance), "system", "", voucher); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if err := bw.header(fundFlowSummary); err != nil {
		return err
	}
	if err := bw.row(strconv.FormatInt(nIn+nOut, 10), strconv.FormatInt(nIn, 10), yuan(sumIn), strconv.FormatInt(nOut, 10), yuan(sumOut)); err != nil {
		return err
	}
	return bw.flush()
}
