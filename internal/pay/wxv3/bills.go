package wxv3

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Bills: GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL|SUCCESS|REFUND
// answers {hash_type, hash_value, download_url}; the URL, fetched with an
// ordinary signed GET, returns the day's CSV in WeChat's layout (every
// field prefixed with a backtick, amounts in yuan). Days are China time.

const billURLTTL = 5 * time.Minute

func (h *Handler) tradeBill(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	q := r.URL.Query()
	day, err := time.ParseInLocation("2006-01-02", q.Get("bill_date"), chinaTime)
	if err != nil {
		return 0, nil, paramError("/bill_date", "bill_date is YYYY-MM-DD.")
	}
	typ := q.Get("bill_type")
	if typ == "" {
		typ = "ALL"
	}
	if typ != "ALL" && typ != "SUCCESS" && typ != "REFUND" {
		return 0, nil, paramError("/bill_type", "bill_type is ALL, SUCCESS or REFUND.")
	}
	s := h.Service
	if now := s.now().In(chinaTime); day.After(now) {
		return 0, nil, v3err(400, "STATEMENT_CREATING", "The bill for %s is not ready yet.", q.Get("bill_date"))
	}
	csv, err := s.bill(r.Context(), m.MchID, day, typ)
	if err != nil {
		return 0, nil, err
	}
	sum := sha1.Sum([]byte(csv))
	exp := s.now().Add(billURLTTL).Unix()
	token := s.billToken(m.MchID, q.Get("bill_date"), typ, exp)
	return 200, map[string]string{"hash_type": "SHA1", "hash_value": hex.EncodeToString(sum[:]),
		"download_url": baseURL(r) + "/v3/billdownload/file?token=" + token}, nil
}

func (s *Service) billToken(mchid, day, typ string, exp int64) string {
	payload := mchid + "|" + day + "|" + typ + "|" + strconv.FormatInt(exp, 10)
	m := hmac.New(sha256.New, s.openID)
	m.Write([]byte("bill|" + payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// billDownload serves the bill file: the token binds it to the merchant,
// the day and the type, for five minutes; the answer is not signed, as
// WeChat's is not.
func (h *Handler) billDownload(w http.ResponseWriter, r *http.Request) {
	s := h.Service
	body, _ := readAll(r)
	m, err := s.verify(r.Context(), r, body)
	if err != nil {
		h.respond(w, r, 0, nil, err)
		return
	}
	payloadB64, _, ok := strings.Cut(r.URL.Query().Get("token"), ".")
	payload, derr := base64.RawURLEncoding.DecodeString(payloadB64)
	parts := strings.Split(string(payload), "|")
	if !ok || derr != nil || len(parts) != 4 || parts[0] != m.MchID {
		h.respond(w, r, 0, nil, v3err(400, "INVALID_REQUEST", "The download token is not valid."))
		return
	}
	exp, _ := strconv.ParseInt(parts[3], 10, 64)
	if !hmac.Equal([]byte(s.billToken(parts[0], parts[1], parts[2], exp)), []byte(r.URL.Query().Get("token"))) || s.now().Unix() > exp {
		h.respond(w, r, 0, nil, v3err(400, "INVALID_REQUEST", "The download token is not valid or has expired."))
		return
	}
	day, _ := time.ParseInLocation("2006-01-02", parts[1], chinaTime)
	csv, err := s.bill(r.Context(), m.MchID, day, parts[2])
	if err != nil {
		h.respond(w, r, 0, nil, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write([]byte(csv))
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// bill renders one China-time day of a merchant's orders and refunds.
func (s *Service) bill(ctx context.Context, mchid string, day time.Time, typ string) (string, error) {
	from, to := sqldb.Micro(day), sqldb.Micro(day.Add(24*time.Hour))
	var b strings.Builder
	b.WriteString("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n")
	var count, paid, refunded int64
	row := func(fields ...string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("`" + strings.ReplaceAll(f, ",", " "))
		}
		b.WriteString("\r\n")
	}
	if typ != "REFUND" {
		rows, err := s.db.Query(ctx, `SELECT `+orderColumns+` FROM orders WHERE mchid = ? AND success_time >= ? AND success_time < ? ORDER BY success_time`, mchid, from, to)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return "", err
			}
			count++
			paid += o.Total
			row(o.SuccessTime.In(chinaTime).Format("2006-01-02 15:04:05"), o.AppID, o.MchID, "", "", o.TransactionID, o.OutTradeNo,
				o.PayerOpenID, o.TradeType, "SUCCESS", "OTHERS", o.Currency, yuan(o.Total), "0.00", "0", "0", "0.00", "0.00", "", "",
				o.Description, o.Attach, "0.00000", "0.00%", yuan(o.Total), "0.00", "")
		}
		rows.Close()
	}
	if typ != "SUCCESS" {
		rows, err := s.db.Query(ctx, `SELECT r.refund_id, r.out_refund_no, r.amount, r.created_at, o.transaction_id, o.out_trade_no,
			o.appid, o.payer_openid, o.trade_type, o.currency, o.total, o.description, o.attach
			FROM refunds r JOIN orders o ON o.transaction_id = r.transaction_id
			WHERE r.mchid = ? AND r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at`, mchid, from, to)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var rid, rno, txid, otn, appid, openid, tt, cur, desc, attach string
			var amt, created, total int64
			if err := rows.Scan(&rid, &rno, &amt, &created, &txid, &otn, &appid, &openid, &tt, &cur, &total, &desc, &attach); err != nil {
				rows.Close()
				return "", err
			}
			count++
			refunded += amt
			row(sqldb.FromMicro(created).In(chinaTime).Format("2006-01-02 15:04:05"), appid, mchid, "", "", txid, otn, openid, tt,
				"REFUND", "OTHERS", cur, "0.00", "0.00", rid, rno, yuan(amt), "0.00", "ORIGINAL", "SUCCESS", desc, attach,
				"0.00000", "0.00%", yuan(total), yuan(amt), "")
		}
		rows.Close()
	}
	b.WriteString("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n")
	row(strconv.FormatInt(count, 10), yuan(paid), yuan(refunded), "0.00", "0.00000", yuan(paid), yuan(refunded))
	return b.String(), nil
}
