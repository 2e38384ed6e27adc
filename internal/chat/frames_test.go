package chat

import (
	"encoding/json"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

func FuzzParseClientFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"send","conversation_id":"c_1","client_id":"a","kind":"text","text":"hi"}`,
		`{"type":"read","conversation_id":"c_1","seq":3}`,
		`{"type":"ping"}`, `{"type":"read","seq":-1}`, `{"type":5}`, `[]`, `null`, `"send"`, ``, `{`,
		`{"type":"send","conversation_id":"c","text":"` + "\xff" + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := parseClientFrame(data)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.InvalidArgument {
				t.Fatalf("error code %q for %q", c, data)
			}
			return
		}
		switch fr.Type {
		case "send":
			if fr.ConversationID == "" {
				t.Fatalf("send frame without conversation accepted: %q", data)
			}
		case "read":
			if fr.ConversationID == "" || fr.Seq < 1 {
				t.Fatalf("bad read frame accepted: %q", data)
			}
		case "ping":
		default:
			t.Fatalf("unknown type %q accepted", fr.Type)
		}
		if !json.Valid(data) {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
	})
}
