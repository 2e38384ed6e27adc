package trust_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/trust"
)

// upload posts files as multipart parts.
func (a api) upload(path, token string, parts map[string][]byte, out any) (int, string) {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range parts {
		w, _ := mw.CreateFormFile(name, name+".csv")
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s: %v: %s", path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func TestWatchlistRoutesRefuseOthers(t *testing.T) {
	t.Parallel()
	a, _ := newAPI(t)
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/admin/watchlist/import?format=csv"},
		{"GET", "/api/v1/admin/watchlist"},
		{"GET", "/api/v1/admin/watchlists"},
		{"POST", "/api/v1/admin/watchlist/allow"},
		{"POST", "/api/v1/admin/screen"},
	}
	for _, r := range routes {
		var e httpx.ErrorBody
		if st, body := a.do(r.method, r.path, "alice", "id,name\n1,x\n", &e); st != http.StatusForbidden || e.Error.Code != errs.Forbidden {
			t.Errorf("%s %s as a user: %d %s", r.method, r.path, st, body)
		}
		if st, _ := a.do(r.method, r.path, "", "", nil); st != http.StatusUnauthorized {
			t.Errorf("%s %s signed out: %d", r.method, r.path, st)
		}
	}
	// Nothing was imported by the refused requests.
	var page trust.WatchPage
	if st, _ := a.do("GET", "/api/v1/admin/watchlist", "admin", "", &page); st != 200 || page.Total != 0 {
		t.Fatalf("after refusals: %d %+v", st, page)
	}
}

func TestWatchlistRoutes(t *testing.T) {
	t.Parallel()
	a, _ := newAPI(t)
	sdn, alt, add := ofacSample(t)

	// OFAC import.
	var res trust.ImportResult
	st, body := a.upload("/api/v1/admin/watchlist/import?format=ofac", "admin", map[string][]byte{"sdn": sdn, "alt": alt, "add": add}, &res)
	if st != 200 || res.Imported != 8 || res.List != "ofac_sdn" || !strings.HasPrefix(res.ListHash, "sha256:") {
		t.Fatalf("ofac import: %d %s", st, body)
	}
	var raw map[string]any
	a.upload("/api/v1/admin/watchlist/import?format=ofac", "admin", map[string][]byte{"sdn": sdn, "alt": alt, "add": add}, &raw)
	if raw["imported"] != float64(8) || raw["list_hash"] != res.ListHash {
		t.Fatalf("the contract's fields: %v", raw)
	}
	// Generic CSV, as the body, into a named list.
	var res2 trust.ImportResult
	if st, body := a.do("POST", "/api/v1/admin/watchlist/import?format=csv&list=partners", "admin", string(readFile(t, "custom.csv")), &res2); st != 200 || res2.Imported != 3 || res2.List != "partners" {
		t.Fatalf("csv import: %d %s", st, body)
	}
	// …and as a multipart part.
	if st, body := a.upload("/api/v1/admin/watchlist/import?format=csv", "admin", map[string][]byte{"file": readFile(t, "custom.csv")}, nil); st != 200 || !strings.Contains(body, `"list":"custom"`) {
		t.Fatalf("csv multipart import: %d %s", st, body)
	}

	// Bad input: 400 naming the line, and nothing changes.
	for _, c := range []struct {
		path, body, want string
	}{
		{"/api/v1/admin/watchlist/import?format=csv&list=partners", "id,name\n1,x\n2\n", "line 3"},
		{"/api/v1/admin/watchlist/import?format=csv&list=partners", "", "empty"},
		{"/api/v1/admin/watchlist/import?format=xml", "x", "format"},
		{"/api/v1/admin/watchlist/import?format=csv&list=Bad-Name", "id,name\n1,x\n", "list"},
		{"/api/v1/admin/watchlist/import?format=ofac", "not multipart", "multipart"},
	} {
		var e httpx.ErrorBody
		if st, body := a.do("POST", c.path, "admin", c.body, &e); st != 400 || e.Error.Code != errs.InvalidArgument || !strings.Contains(e.Error.Message, c.want) {
			t.Errorf("%s %q: %d %s", c.path, c.body, st, body)
		}
	}
	var e httpx.ErrorBody
	if st, body := a.upload("/api/v1/admin/watchlist/import?format=ofac", "admin", map[string][]byte{"sdn": sdn[:len(sdn)-200], "alt": alt}, &e); st != 400 || !strings.Contains(e.Error.Message, "sdn.csv line") {
		t.Errorf("truncated sdn: %d %s", st, body)
	}
	if st, body := a.upload("/api/v1/admin/watchlist/import?format=ofac", "admin", map[string][]byte{"alt": alt}, &e); st != 400 || !strings.Contains(e.Error.Message, "sdn") {
		t.Errorf("no sdn: %d %s", st, body)
	}
	var lists struct {
		Items []trust.Watchlist `json:"items"`
	}
	a.do("GET", "/api/v1/admin/watchlists", "admin", "", &lists)
	if len(lists.Items) != 3 || lists.Items[2].Name != "partners" || lists.Items[2].Hash != res2.ListHash || lists.Items[1].Hash != res.ListHash {
		t.Fatalf("lists after bad imports: %+v", lists.Items)
	}

	// Search.
	var page struct {
		Items      []map[string]any `json:"items"`
		Total      int              `json:"total"`
		NextCursor string           `json:"next_cursor"`
	}
	if st, body := a.do("GET", "/api/v1/admin/watchlist?q=sidorov", "admin", "", &page); st != 200 || page.Total < 2 {
		t.Fatalf("search: %d %s", st, body)
	} else {
		ids := []string{}
		for _, it := range page.Items {
			ids = append(ids, it["id"].(string))
			for _, k := range []string{"id", "name", "aliases", "type", "country", "program"} {
				if _, ok := it[k]; !ok {
					t.Errorf("item lacks %s: %v", k, it)
				}
			}
		}
		if !strings.Contains(strings.Join(ids, ","), "90001") {
			t.Errorf("search sidorov: %v", ids)
		}
	}
	a.do("GET", "/api/v1/admin/watchlist?list=ofac_sdn&limit=3", "admin", "", &page)
	if page.Total != 8 || len(page.Items) != 3 || page.NextCursor == "" {
		t.Fatalf("page 1: %+v", page)
	}
	first := page.Items[0]["id"]
	a.do("GET", "/api/v1/admin/watchlist?list=ofac_sdn&limit=3&cursor="+page.NextCursor, "admin", "", &page)
	if len(page.Items) != 3 || page.Items[0]["id"] == first {
		t.Fatalf("page 2: %+v", page)
	}
	if st, _ := a.do("GET", "/api/v1/admin/watchlist?cursor=x", "admin", "", nil); st != 400 {
		t.Errorf("bad cursor: %d", st)
	}
	if st, _ := a.do("GET", "/api/v1/admin/watchlist?limit=0", "admin", "", nil); st != 400 {
		t.Errorf("bad limit: %d", st)
	}

	// Screening a name: best first, near misses included, the threshold.
	var sr struct {
		Matches []struct {
			EntryID string  `json:"entry_id"`
			Name    string  `json:"name"`
			Score   float64 `json:"score"`
			Program string  `json:"program"`
		} `json:"matches"`
		Threshold float64 `json:"threshold"`
	}
	if st, body := a.do("POST", "/api/v1/admin/screen", "admin", `{"name":"Ivan Sidorov","country":"RU"}`, &sr); st != 200 || len(sr.Matches) < 2 || sr.Threshold != 0.85 {
		t.Fatalf("screen: %d %s", st, body)
	}
	for i := 1; i < len(sr.Matches); i++ {
		if sr.Matches[i].Score > sr.Matches[i-1].Score {
			t.Errorf("not best first: %+v", sr.Matches)
		}
	}
	if sr.Matches[0].Score < 0.85 || sr.Matches[len(sr.Matches)-1].Score < trust.ScreenCutoff {
		t.Errorf("scores: %+v", sr.Matches)
	}
	if st, body := a.do("POST", "/api/v1/admin/screen", "admin", `{"name":"Zzyzx Qwerty"}`, &sr); st != 200 || len(sr.Matches) != 0 || !strings.Contains(body, `"matches":[]`) {
		t.Errorf("screen no match: %d %s", st, body)
	}
	for _, bad := range []string{`{"name":""}`, `{"name":"x","extra":1}`, `[]`, `{"name":"x","country":"RUS"}`} {
		if st, _ := a.do("POST", "/api/v1/admin/screen", "admin", bad, nil); st != 400 {
			t.Errorf("screen %s: %d", bad, st)
		}
	}

	// Allow.
	for range 2 {
		if st, body := a.do("POST", "/api/v1/admin/watchlist/allow", "admin", `{"user_id":"usr_bob","entry_id":"90001"}`, nil); st != 200 || !strings.Contains(body, `"entry_id":"90001"`) {
			t.Fatalf("allow: %d %s", st, body)
		}
	}
	if st, body := a.do("POST", "/api/v1/admin/watchlist/allow", "admin", `{"merchant_id":"1900000001","entry_id":"306"}`, nil); st != 200 || !strings.Contains(body, `"party_type":"merchant"`) {
		t.Fatalf("allow a merchant: %d %s", st, body)
	}
	for _, c := range []struct {
		body string
		st   int
	}{
		{`{"user_id":"usr_nobody","entry_id":"90001"}`, 404},
		{`{"user_id":"usr_bob","entry_id":"nope"}`, 404},
		{`{"user_id":"usr_bob","merchant_id":"1900000001","entry_id":"90001"}`, 400},
		{`{"entry_id":"90001"}`, 400},
		{`{"user_id":"usr_bob"}`, 400},
	} {
		if st, body := a.do("POST", "/api/v1/admin/watchlist/allow", "admin", c.body, nil); st != c.st {
			t.Errorf("allow %s: %d %s, want %d", c.body, st, body, c.st)
		}
	}
}
