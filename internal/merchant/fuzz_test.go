package merchant

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzOrderBody(f *testing.F) {
	for _, seed := range []string{
		`{"appid":"wx1","mchid":"1600000001","description":"Tea","out_trade_no":"T0000001","notify_url":"https://s/n","amount":{"total":100}}`,
		`{"appid":"wx1","mchid":"1600000001","description":"Tea","out_trade_no":"T0000001","notify_url":"https://s/n","amount":{"total":100},"payer":{"openid":"o1"}}`,
		`{"amount":{"total":-1}}`, `{"time_expire":"20260101"}`, `[]`, `null`, `{"amount":{"total":1e99}}`, ``,
	} {
		f.Add([]byte(seed), "NATIVE")
		f.Add([]byte(seed), "JSAPI")
		f.Add([]byte(seed), "MWEB")
	}
	f.Fuzz(func(t *testing.T, raw []byte, tradeType string) {
		in, err := parseOrder("1600000001", tradeType, raw)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Fatalf("error %v is not a 400 of the v3 API", err)
			}
			return
		}
		switch {
		case in.MchID != "1600000001", in.AppID == "", in.Amount.Total <= 0,
			!outTradeNoRe.MatchString(in.OutTradeNo), utf8.RuneCountInString(in.Description) > 127:
			t.Fatalf("accepted a bad order: %+v", in)
		case tradeType == TradeJSAPI && (in.Payer == nil || in.Payer.OpenID == ""):
			t.Fatalf("a JSAPI order without a payer: %+v", in)
		}
		if in.TimeExpire != "" {
			if _, err := time.Parse(time.RFC3339, in.TimeExpire); err != nil {
				t.Fatalf("accepted time_expire %q", in.TimeExpire)
			}
		}
	})
}
