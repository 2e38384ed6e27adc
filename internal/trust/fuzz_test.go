package trust

import (
	"os"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

func seedFile(f *testing.F, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// checkParsed holds for whatever a reader accepts or refuses: a refusal is
// invalid_argument that says where; what is accepted has ids and names,
// each id once.
func checkParsed(t *testing.T, entries []WatchEntry, err error) {
	if err != nil {
		var e *errs.Error
		if !errorAs(err, &e) || e.Code != errs.InvalidArgument || e.Message == "" {
			t.Fatalf("refusal %v is not invalid_argument", err)
		}
		return
	}
	if len(entries) == 0 {
		t.Fatal("accepted a list without entries")
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.ID == "" || strings.TrimSpace(e.Name) == "" || seen[e.ID] {
			t.Fatalf("bad entry %+v", e)
		}
		seen[e.ID] = true
	}
	// What was accepted can be indexed and screened.
	w := newWatch()
	w.swap(buildIndex("fuzz", "v", "h", entries))
	w.screen(entries[0].Name, true, 0.5)
}

func errorAs(err error, e **errs.Error) bool {
	v, ok := err.(*errs.Error)
	*e = v
	return ok
}

func FuzzOFACCSV(f *testing.F) {
	sdn, alt, add := seedFile(f, "ofac/sdn.csv"), seedFile(f, "ofac/alt.csv"), seedFile(f, "ofac/add.csv")
	f.Add(sdn, alt, add)
	f.Add(sdn[:len(sdn)/2], alt, add)
	f.Add(sdn, alt[:17], add[:9])
	f.Add([]byte("1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"), []byte{}, []byte("1,2,\"\"\"\",\"x\",\"y\",\"z\"\n"))
	f.Fuzz(func(t *testing.T, sdn, alt, add []byte) {
		entries, err := ParseOFAC(sdn, alt, add)
		checkParsed(t, entries, err)
		if err == nil {
			for _, e := range entries {
				if !validEntNum(e.ID) {
					t.Fatalf("ent_num %q accepted", e.ID)
				}
			}
		}
	})
}

func FuzzGenericCSV(f *testing.F) {
	f.Add(seedFile(f, "custom.csv"))
	f.Add([]byte("id,name\n1,\"a\nb\"\n"))
	f.Add([]byte("name,id,aliases\nX,1,a;b;;c\n"))
	f.Add([]byte("\uFEFFid,name\r\n1,Ä\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseWatchCSV(data)
		checkParsed(t, entries, err)
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"SIDOROV, Ivan Petrovich", "习近平", "Иван Петрович Сидоров", "Dr. Ayman al-Zawahiri", "O'Brien-Smith, Mary Jo",
		"ＡＢＣ株式会社", "  ", ",", "محمد", "Nguyễn Văn A", "mr mrs dr", "a,b,c,d"} {
		f.Add(s, "SIDOROV, Ivan Petrovich")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, person := range []bool{true, false} {
			ka, kb := normalize(a, person), normalize(b, person)
			for _, tok := range ka.tokens {
				if tok == "" {
					t.Fatalf("empty token from %q", a)
				}
				for i := 0; i < len(tok); i++ {
					if c := tok[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
						t.Fatalf("token %q of %q is not lower-case ASCII", tok, a)
					}
				}
			}
			if len(ka.tokens) > maxTokens {
				t.Fatalf("%d tokens", len(ka.tokens))
			}
			s := similarity(&ka, &kb)
			if s < 0 || s > 1 || s != s {
				t.Fatalf("similarity(%q, %q) = %v", a, b, s)
			}
			if len(ka.tokens) > 0 && similarity(&ka, &ka) != 1 {
				t.Fatalf("similarity(%q, itself) = %v", a, similarity(&ka, &ka))
			}
		}
	})
}
