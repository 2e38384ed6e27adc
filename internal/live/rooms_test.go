package live_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/trust"
)

// A room from creation to its end, through the contract's endpoints, with
// every other user's attempt to act as its host refused.
func TestRoomLifecycle(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		// Bad input and another's merchant.
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": ""}), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": strings.Repeat("x", 101)}), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "a\nb"}), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "x", "scheduled_at": "tomorrow"}), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": 5}), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms", `{"mchid":`), 400, "invalid_argument")
		e.expect(e.do("u_other", "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "Mine now"}), 404, "not_found")

		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		r := e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "Nova 12 launch",
			"cover_media_id": "med_1", "scheduled_at": at.Format(time.RFC3339)})
		e.expect(r, 201, "")
		room := r.json(t)["room"].(map[string]any)
		id := room["id"].(string)
		if !strings.HasPrefix(id, "lr_") || room["state"] != "scheduled" || room["merchant_name"] != "Nova Store" ||
			room["cover_url"] != "/api/v1/live/rooms/"+id+"/cover?m=med_1" || room["scheduled_at"] != at.Format(time.RFC3339) || room["host"] != true {
			t.Fatalf("room %v", room)
		}

		// The directory: scheduled, not live.
		if items := e.do("u_a", "GET", "/api/v1/live/rooms?state=scheduled", nil).json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("scheduled: %v", items)
		}
		if items := e.do("u_a", "GET", "/api/v1/live/rooms?state=live", nil).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("live: %v", items)
		}
		e.expect(e.do("u_a", "GET", "/api/v1/live/rooms?state=nope", nil), 400, "invalid_argument")
		e.expect(e.do("u_a", "GET", "/api/v1/live/rooms/lr_nope", nil), 404, "not_found")

		// Reminders.
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/remind", nil), 204, "")
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/remind", nil), 204, "")
		if e.do("u_a", "GET", "/api/v1/live/rooms/"+id, nil).json(t)["room"].(map[string]any)["reminded"] != true {
			t.Fatal("not reminded")
		}
		e.expect(e.do("u_a", "DELETE", "/api/v1/live/rooms/"+id+"/remind", nil), 204, "")
		e.expect(e.do("u_b", "POST", "/api/v1/live/rooms/"+id+"/remind", nil), 204, "")

		// A viewer cannot play a room nobody publishes to, nor act as host.
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/whep", "v=0\r\n", "Content-Type", "application/sdp"), 409, live.NotLive)
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/whip", "v=0\r\n", "Content-Type", "application/sdp"), 403, "forbidden")
		e.expect(e.do("u_a", "PUT", "/api/v1/live/rooms/"+id+"/shelf", map[string]any{"items": []any{}}), 403, "forbidden")
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/showing", map[string]any{"sku": ""}), 403, "forbidden")
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/end", nil), 403, "forbidden")
		e.expect(e.do("u_a", "GET", "/api/v1/live/rooms/"+id+"/stats", nil), 403, "forbidden")

		// WHIP's edges.
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "v=0\r\n"), 415, "unsupported_media_type")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", strings.Repeat("a", live.MaxSDP+1), "Content-Type", "application/sdp"), 413, "payload_too_large")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "", "Content-Type", "application/sdp"), 400, "invalid_argument")
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "hello", "Content-Type", "application/sdp"), 400, "invalid_argument")

		// Going live.
		r = e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "v=0\r\noffer\r\n", "Content-Type", "application/sdp; charset=utf-8")
		e.expect(r, 201, "")
		if r.header.Get("Content-Type") != "application/sdp" || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/live/rooms/"+id+"/whip/") ||
			!strings.Contains(string(r.body), "answer-publish") {
			t.Fatalf("WHIP answer %v %q", r.header, r.body)
		}
		if len(e.framesOf("started")) != 1 {
			t.Fatal("no started frame")
		}
		select {
		case users := <-e.started:
			if len(users) != 1 || users[0] != "u_b" {
				t.Fatalf("reminded %v", users)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("OnStarted was not called")
		}
		got := e.do("u_a", "GET", "/api/v1/live/rooms/"+id, nil).json(t)["room"].(map[string]any)
		if got["state"] != "live" || got["started_at"] == nil || got["host"] != false {
			t.Fatalf("live room %v", got)
		}
		if items := e.do("u_a", "GET", "/api/v1/live/rooms", nil).json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["state"] != "live" {
			t.Fatalf("directory %v", items)
		}
		r = e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/whep", "v=0\r\nview\r\n", "Content-Type", "application/sdp")
		e.expect(r, 201, "")
		if !strings.HasPrefix(r.header.Get("Location"), "/api/v1/live/rooms/"+id+"/whep/") {
			t.Fatalf("WHEP location %q", r.header.Get("Location"))
		}
		e.expect(e.do("u_a", "DELETE", r.header.Get("Location"), nil), 204, "")

		// The shelf and "now showing".
		e.shelf(id, 2, 5)
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/showing", map[string]any{"sku": "nope"}), 404, "not_found")
		r = e.do(host, "POST", "/api/v1/live/rooms/"+id+"/showing", map[string]any{"sku": "sku1"})
		e.expect(r, 200, "")
		if r.json(t)["item"].(map[string]any)["name"] != "Nova 1" {
			t.Fatalf("showing %s", r.body)
		}
		if f := e.framesOf("showing"); len(f) != 1 || !f[0].Must {
			t.Fatalf("showing frames %v", f)
		}
		if e.do("u_a", "GET", "/api/v1/live/rooms/"+id, nil).json(t)["room"].(map[string]any)["showing"].(map[string]any)["sku"] != "sku1" {
			t.Fatal("room does not show sku1")
		}

		// The end.
		r = e.do(host, "POST", "/api/v1/live/rooms/"+id+"/end", nil)
		e.expect(r, 200, "")
		if ended := r.json(t)["room"].(map[string]any); ended["state"] != "ended" || ended["ended_at"] == nil {
			t.Fatalf("ended %v", ended)
		}
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/end", nil), 200, "")
		if len(e.framesOf("ended")) != 1 || len(e.media.ended) != 1 {
			t.Fatalf("ended frames %d, media ends %v", len(e.framesOf("ended")), e.media.ended)
		}
		e.expect(e.do(host, "POST", "/api/v1/live/rooms/"+id+"/whip", "v=0\r\n", "Content-Type", "application/sdp"), 409, live.RoomEnded)
		e.expect(e.do("u_a", "POST", "/api/v1/live/rooms/"+id+"/whep", "v=0\r\n", "Content-Type", "application/sdp"), 409, live.RoomEnded)
		e.expect(e.buy("u_a", id, "sku0", 1, "k1"), 409, live.RoomEnded)
		if items := e.do("u_a", "GET", "/api/v1/live/rooms", nil).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("an ended room is listed: %v", items)
		}
		// Its owner sees it under mchid=.
		if items := e.do(host, "GET", "/api/v1/live/rooms?mchid="+e.mchid, nil).json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("owner's rooms %v", items)
		}
	})
}

// The directory pages: live first (newest start first), then scheduled
// (soonest first), every room once.
func TestRoomsPaging(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		var live []string
		for i := 0; i < 3; i++ {
			id := e.room()
			e.goLive(id)
			live = append(live, id)
			time.Sleep(2 * time.Millisecond)
		}
		var sched []string
		for i := 0; i < 4; i++ {
			at := time.Now().Add(time.Duration(10-i) * time.Hour).Format(time.RFC3339)
			r := e.do(host, "POST", "/api/v1/live/rooms", map[string]any{"mchid": e.mchid, "title": "Later", "scheduled_at": at})
			sched = append(sched, r.json(t)["room"].(map[string]any)["id"].(string))
		}
		want := []string{live[2], live[1], live[0], sched[3], sched[2], sched[1], sched[0]}
		var got []string
		cursor := ""
		for page := 0; page < 10; page++ {
			r := e.do("u_a", "GET", "/api/v1/live/rooms?limit=2&cursor="+cursor, nil).json(t)
			for _, it := range r["items"].([]any) {
				got = append(got, it.(map[string]any)["id"].(string))
			}
			if cursor = r["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("pages\n got %v\nwant %v", got, want)
		}
		e.expect(e.do("u_a", "GET", "/api/v1/live/rooms?cursor=%25%25", nil), 400, "invalid_argument")
	})
}

// Trust: distribution hides the room (absent, 404), hosting refuses its
// video (403 blocked_by_policy), payments its orders (422).
func TestRoomPolicies(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.shelf(id, 1, 5)
		e.policies.set("u_us", trust.ScopeDistribution)
		if items := e.do("u_us", "GET", "/api/v1/live/rooms", nil).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("a blocked merchant's room is listed: %v", items)
		}
		e.expect(e.do("u_us", "GET", "/api/v1/live/rooms/"+id, nil), 404, "not_found")
		e.expect(e.do("u_us", "GET", "/api/v1/live/rooms/"+id+"/shelf", nil), 404, "not_found")
		if items := e.do("u_cn", "GET", "/api/v1/live/rooms", nil).json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("elsewhere: %v", items)
		}
		e.policies.set("u_us", trust.ScopeHosting)
		e.expect(e.do("u_us", "POST", "/api/v1/live/rooms/"+id+"/whep", "v=0\r\n", "Content-Type", "application/sdp"), 403, trust.BlockedByPolicy)
		e.policies.set("u_us", trust.ScopePayments)
		e.expect(e.buy("u_us", id, "sku0", 1, "k"), 422, trust.BlockedByPolicy)
		if stock, held, _ := e.item(id, "sku0"); stock != 5 || held != 0 {
			t.Fatalf("a refused order took stock: %d %d", stock, held)
		}
	})
}

// The host's video vanishing: the room stays live for HostGrace, ends if
// nobody republishes, and survives a republication within the grace.
func TestHostGone(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		e.goLive(id)
		e.media.vanish("pub1")
		time.Sleep(20 * time.Millisecond)
		e.goLive(id) // pub2, within the grace
		time.Sleep(250 * time.Millisecond)
		if st := e.do("u_a", "GET", "/api/v1/live/rooms/"+id, nil).json(t)["room"].(map[string]any)["state"]; st != "live" {
			t.Fatalf("republished room is %v", st)
		}
		e.media.vanish("pub2")
		deadline := time.Now().Add(3 * time.Second)
		for e.do("u_a", "GET", "/api/v1/live/rooms/"+id, nil).json(t)["room"].(map[string]any)["state"] != "ended" {
			if time.Now().After(deadline) {
				t.Fatal("an abandoned room did not end")
			}
			time.Sleep(20 * time.Millisecond)
		}
		// The frame follows the row's commit: wait for it, then make sure
		// it came once.
		for len(e.framesOf("ended")) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no ended frame")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if n := len(e.framesOf("ended")); n != 1 {
			t.Fatalf("%d ended frames", n)
		}

		// DELETE of the WHIP resource: the same grace.
		id2 := e.room()
		loc := e.goLive(id2)
		e.expect(e.do("u_a", "DELETE", loc, nil), 403, "forbidden")
		e.expect(e.do(host, "DELETE", loc, nil), 204, "")
		if st := e.do("u_a", "GET", "/api/v1/live/rooms/"+id2, nil).json(t)["room"].(map[string]any)["state"]; st != "live" {
			t.Fatalf("right after DELETE: %v", st)
		}
		time.Sleep(150 * time.Millisecond)
		if n, err := e.live.EndAbandoned(t.Context()); err != nil || (n != 0 && n != 1) {
			t.Fatal(n, err)
		}
		if st := e.do("u_a", "GET", "/api/v1/live/rooms/"+id2, nil).json(t)["room"].(map[string]any)["state"]; st != "ended" {
			t.Fatalf("after the grace: %v", st)
		}
	})
}

// No media server: WHIP and WHEP are 503 unavailable.
func TestNoMedia(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		id := e.room()
		s, err := live.NewService(live.Config{DB: e.db, Merchants: nil})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, _, err := s.Publish(t.Context(), host, id, []byte("v=0")); err == nil || !strings.Contains(err.Error(), "unavailable") {
			t.Fatalf("no media: %v", err)
		}
	})
}
