package account

import (
	"context"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Settings default to showing last seen; last_seen only moves forward
// (several nodes write it); an erased account keeps neither.
func TestSettingsAndLastSeen(t *testing.T) {
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		ann, _ := signup(t, s, "ann")
		ben, _ := signup(t, s, "ben")
		if st, err := s.Settings(ctx, ann.ID); err != nil || !st.ShowLastSeen {
			t.Fatalf("default: %+v %v", st, err)
		}
		if _, err := s.SetSettings(ctx, ann.ID, UserSettings{ShowLastSeen: false, AddMe: AddMeNobody}); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		for _, when := range []time.Time{at, at.Add(-time.Hour)} { // the older write loses
			if err := s.TouchLastSeen(ctx, ann.ID, when); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.TouchLastSeen(ctx, ben.ID, at); err != nil {
			t.Fatal(err)
		}
		infos, err := s.PresenceInfos(ctx, []string{ann.ID, ben.ID, "u_nobody"})
		if err != nil {
			t.Fatal(err)
		}
		if a := infos[ann.ID]; a.ShowLastSeen || !a.LastSeen.Equal(at) {
			t.Fatalf("ann: %+v (touching last seen must keep her setting)", a)
		}
		if b := infos[ben.ID]; !b.ShowLastSeen || !b.LastSeen.Equal(at) {
			t.Fatalf("ben: %+v", b)
		}
		if n := infos["u_nobody"]; !n.LastSeen.IsZero() {
			t.Fatalf("unknown user: %+v", n)
		}
		if err := s.Erase(ctx, ann.ID, "password1"); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchLastSeen(ctx, ann.ID, at.Add(time.Hour)); err != nil { // a socket closing after the erasure
			t.Fatal(err)
		}
		var rows int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM user_settings WHERE user_id = ?`, ann.ID).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("an erased account keeps %d settings rows (%v)", rows, err)
		}
	})
}
