package plazapay

import (
	"strings"
	"testing"
)

const sig64 = "Ml6/TK0dnyCsI0XsTwgVtQw+JHaV2w+4Cz4sRT7Np2pbuLQTh+L1wNG66D7VvAiGIAdWTTgOd6PBlSCXfa2Lmw2O4dvhJEWkpKe4NEFWL6wTp1pLg6QH8wP0DU+q9Qm5RB2nByZ+P/9m+NtoFh7TzebpUq4o4YTJJuGWoEHI7/DrYm3a6VnEAy0xf+c8Qe2BBqM5aYT6iA1pmEavCfK/Ms+bOZNuJjnD+B7T8e8hMntgH7xXrWRAP9GvTFhlzSuQ2e6ppLyCYZCm/7hrCY1ZSmzWaADwb1MdB2Ld+4Ph89rSfzVhfGu6P/bFO98iPTKfrU0uqlrM9MixgQKF6oGhXg=="

func TestParseAuthorization(t *testing.T) {
	want := Authorization{MchID: "1900009191", NonceStr: "593BEC0C930BF1AFEB40B4A08C8FB242",
		Timestamp: "1554208460", SerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", Signature: sig64}
	sdk := `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="` + sig64 + `"`
	if got := want.String(); got != sdk {
		t.Fatalf("String() =\n%s\nwant\n%s", got, sdk)
	}
	good := []string{
		sdk,
		// the official documentation's order
		`WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="` + sig64 + `",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
		// spaces after commas, reversed order, surrounding blanks, scheme case
		`  wechatpay2-sha256-rsa2048   signature="` + sig64 + `", serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", timestamp="1554208460", nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242", mchid="1900009191"  `,
		// spaces around '='
		`WECHATPAY2-SHA256-RSA2048 mchid = "1900009191" ,nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="` + sig64 + `"`,
	}
	for _, h := range good {
		got, err := ParseAuthorization(h)
		if err != nil {
			t.Errorf("ParseAuthorization(%q): %v", h, err)
		} else if got != want {
			t.Errorf("ParseAuthorization(%q) = %+v", h, got)
		}
	}
	bad := map[string]string{
		"empty":             ``,
		"scheme only":       `WECHATPAY2-SHA256-RSA2048`,
		"wrong scheme":      strings.Replace(sdk, "RSA2048", "SM2", 1),
		"bearer":            "Bearer abc",
		"no space":          strings.Replace(sdk, " ", "", 1),
		"missing mchid":     strings.Replace(sdk, `mchid="1900009191",`, "", 1),
		"missing signature": strings.Replace(sdk, `,signature="`+sig64+`"`, "", 1),
		"duplicate":         sdk + `,mchid="1900009191"`,
		"duplicate differs": sdk + `,timestamp="1"`,
		"unknown item":      sdk + `,foo="bar"`,
		"trailing comma":    sdk + ",",
		"unquoted":          strings.Replace(sdk, `mchid="1900009191"`, `mchid=1900009191`, 1),
		"half quoted":       strings.Replace(sdk, `mchid="1900009191"`, `mchid="1900009191`, 1),
		"single quotes":     strings.Replace(sdk, `mchid="1900009191"`, `mchid='1900009191'`, 1),
		"empty value":       strings.Replace(sdk, `mchid="1900009191"`, `mchid=""`, 1),
		"no equals":         strings.Replace(sdk, `mchid="1900009191"`, `mchid`, 1),
		"inner quote":       strings.Replace(sdk, `mchid="1900009191"`, `mchid="19"00"`, 1),
		"garbage":           `WECHATPAY2-SHA256-RSA2048 !!!`,
	}
	for name, h := range bad {
		if a, err := ParseAuthorization(h); err == nil {
			t.Errorf("%s: ParseAuthorization(%q) = %+v, want error", name, h, a)
		} else if a != (Authorization{}) {
			t.Errorf("%s: partial result %+v returned with error", name, a)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="S",signature="` + sig64 + `"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 signature="a==", serial_no="S", timestamp="1", nonce_str="n", mchid="1"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="1"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid=""`)
	f.Add(`Bearer x`)
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			return
		}
		b, err := ParseAuthorization(a.String())
		if err != nil {
			t.Fatalf("String() of a parse result does not parse: %q: %v", a.String(), err)
		}
		if b != a {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}
