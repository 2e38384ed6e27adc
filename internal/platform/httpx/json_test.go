package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// transfer is a request body of the kind handlers decode.
type transfer struct {
	To     string            `json:"to"`
	Amount int64             `json:"amount"`
	Rate   float64           `json:"rate"`
	Note   *string           `json:"note"`
	Tags   []string          `json:"tags"`
	Meta   map[string]string `json:"meta"`
	Card   struct {
		Last4 string `json:"last4"`
		Saved bool   `json:"saved"`
	} `json:"card"`
}

// oversized is a well-formed object just past MaxBody.
var oversized = `{"to":"` + strings.Repeat("a", httpx.MaxBody) + `"}`

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantCode  string // "" means success
		wantField string
		wantMsg   string // a substring of the message
	}{
		{name: "ok", body: `{"to":"usr_1","amount":250,"card":{"last4":"4242"}}`},
		{name: "ok_with_surrounding_whitespace", body: " \n{\"to\":\"usr_1\"}\n\t "},
		{name: "ok_just_under_1MiB", body: `{"to":"` + strings.Repeat("a", httpx.MaxBody-10) + `"}`},
		{name: "malformed_json", body: `{"to": usr_1}`, wantCode: errs.InvalidArgument, wantMsg: "not valid JSON"},
		{name: "truncated_json", body: `{"to":"usr_1"`, wantCode: errs.InvalidArgument, wantMsg: "ends too early"},
		{name: "wrong_type_names_the_field", body: `{"amount":"250"}`, wantCode: errs.InvalidArgument, wantField: "amount", wantMsg: "an integer"},
		{name: "wrong_type_nested_names_the_path", body: `{"card":{"saved":"yes"}}`, wantCode: errs.InvalidArgument, wantField: "card.saved", wantMsg: "a boolean"},
		{name: "unknown_field_names_it", body: `{"to":"usr_1","amuont":5}`, wantCode: errs.InvalidArgument, wantField: "amuont", wantMsg: "Unknown field"},
		{name: "two_objects", body: `{"to":"a"}{"to":"b"}`, wantCode: errs.InvalidArgument, wantMsg: "single JSON object"},
		{name: "trailing_garbage", body: `{"to":"a"} x`, wantCode: errs.InvalidArgument},
		{name: "trailing_value", body: `{"to":"a"} 1`, wantCode: errs.InvalidArgument, wantMsg: "single JSON object"},
		{name: "empty_body", body: ``, wantCode: errs.InvalidArgument, wantMsg: "empty"},
		{name: "whitespace_only_body", body: " \n ", wantCode: errs.InvalidArgument, wantMsg: "empty"},
		{name: "array_instead_of_object", body: `[{"to":"a"}]`, wantCode: errs.InvalidArgument, wantMsg: "not array"},
		{name: "null_instead_of_object", body: ` null `, wantCode: errs.InvalidArgument, wantMsg: "not null"},
		{name: "string_instead_of_object", body: `"hi"`, wantCode: errs.InvalidArgument, wantMsg: "not string"},
		{name: "string_instead_of_object", body: `"usr_1"`, wantCode: errs.InvalidArgument, wantMsg: "not string"},
		{name: "over_1MiB", body: oversized, wantCode: errs.PayloadTooLarge, wantMsg: "1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/transfers", strings.NewReader(tt.body))
			var got transfer
			err := httpx.Decode(httptest.NewRecorder(), r, &got)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode error = %v (%T), want *errs.Error %s", err, err, tt.wantCode)
			}
			if e.Code != tt.wantCode || e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantMsg) {
				t.Fatalf("Decode error = {code %q field %q message %q}, want {code %q field %q message containing %q}",
					e.Code, e.Field, e.Message, tt.wantCode, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestDecodeFillsTheValue(t *testing.T) {
	body := `{"to":"usr_1","amount":250,"note":"rent","tags":["a","b"],"card":{"last4":"4242","saved":true}}`
	var got transfer
	if err := httpx.DecodeReader(strings.NewReader(body), &got); err != nil {
		t.Fatal(err)
	}
	note := "rent"
	want := transfer{To: "usr_1", Amount: 250, Note: &note, Tags: []string{"a", "b"}}
	want.Card.Last4, want.Card.Saved = "4242", true
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
}

// FuzzDecodeReader checks that no body panics the decoder, that every
// refusal is a coded *errs.Error a client can act on, and that what it
// accepts survives a round trip. limit is the body cap the reader enforces,
// as http.MaxBytesReader does for Decode.
func FuzzDecodeReader(f *testing.F) {
	seeds := []string{
		`{"to":"usr_1","amount":250,"card":{"last4":"4242"}}`,
		`{"to": usr_1}`,
		`{"to":"usr_1"`,
		`{"amount":"250"}`,
		`{"card":{"saved":"yes"}}`,
		`{"to":"usr_1","amuont":5}`,
		`{"to":"a"}{"to":"b"}`,
		`{"to":"a"} x`,
		``,
		`[{"to":"a"}]`,
		`null`,
		`{"rate":1e400}`,
		`{"to":"\ud800","meta":{"k":"v"},"meta":{"j":"w"},"tags":[],"note":null}`,
		`{"to":"` + strings.Repeat("a", 200) + `"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint16(httpx.MaxBody>>8)) // cap far above any seed
		f.Add([]byte(s), uint16(16))               // cap inside most seeds
	}
	f.Fuzz(func(t *testing.T, body []byte, limit uint16) {
		var v transfer
		r := http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(body)), int64(limit))
		err := httpx.DecodeReader(r, &v)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeReader(%q) = %v (%T), not an *errs.Error", body, err, err)
			}
			if e.Code != errs.InvalidArgument && e.Code != errs.PayloadTooLarge {
				t.Fatalf("DecodeReader(%q) code %q, want invalid_argument or payload_too_large", body, e.Code)
			}
			if e.Code == errs.PayloadTooLarge && len(body) <= int(limit) {
				t.Fatalf("DecodeReader(%q) = payload_too_large under a cap of %d", body, limit)
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", v, err)
		}
		var w transfer
		if err := httpx.DecodeReader(bytes.NewReader(again), &w); err != nil {
			t.Fatalf("decoding the re-encoded %s: %v", again, err)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("round trip changed the value:\n first  %+v\n second %+v\n via %s", v, w, again)
		}
	})
}
