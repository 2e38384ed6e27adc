package account

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// A session's last use is written at most once a minute, however often it
// is used.
func TestSessionLastSeenAtMostOncePerMinute(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		ann, tok := signup(t, s, "ann")
		seen := func() sql.NullInt64 {
			var v sql.NullInt64
			if err := db.QueryRow(ctx, `SELECT last_seen_at FROM sessions WHERE user_id = ?`, ann.ID).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		auth := func() {
			if _, err := s.Authenticate(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		clk.Add(30 * time.Second)
		auth()
		if v := seen(); v.Valid {
			t.Fatalf("written after 30 s: %v", v)
		}
		clk.Add(31 * time.Second)
		auth()
		first := seen()
		if !first.Valid || sqldb.FromMicro(first.Int64) != clk.Now() {
			t.Fatalf("not written after 61 s: %v", first)
		}
		clk.Add(20 * time.Second)
		auth()
		if v := seen(); v != first {
			t.Fatalf("written again within the minute: %v", v)
		}
		list, err := s.Sessions(ctx, ann.ID, "")
		if err != nil || len(list) != 1 || !list[0].LastSeenAt.Equal(sqldb.FromMicro(first.Int64)) || list[0].Current {
			t.Fatalf("list: %+v %v", list, err)
		}
	})
}

func TestDeviceLabels(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                   "Chrome on macOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":           "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1": "Safari on iOS",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                   "Chrome on Android",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                  "Firefox on Linux",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50":     "WeChat on iOS",
		"Go-http-client/1.1": "Go client",
		"":                   "",
	} {
		if got := deviceLabel(parseUserAgent(ua)); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
	for ip, want := range map[string]string{"203.0.113.77": "203.0.113.0/24", "2001:db8:85a3:1:2::9": "2001:db8:85a3::/48", "junk": ""} {
		if got := coarseIP(ip); got != want {
			t.Errorf("%s: %q, want %q", ip, got, want)
		}
	}
}
