package account_test

import (
	"bytes"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// testImage is a w×h picture: red on the left half, blue on the right.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{200, 30, 30, 255}
			if x >= w/2 {
				c = color.RGBA{30, 30, 200, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func pngBytes(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNG is a valid PNG header claiming w×h pixels (the file is tiny: a
// decompression bomb must be refused from its header).
func hugePNG(t *testing.T, w, h uint32) []byte {
	real := pngBytes(t, 1, 1)
	out := append([]byte{}, real...)
	// IHDR data starts at byte 16: width, height big-endian.
	for i, v := range []uint32{w, h} {
		out[16+4*i], out[17+4*i], out[18+4*i], out[19+4*i] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	crc := crc32.ChecksumIEEE(out[12:29]) // the chunk's type and data
	out[29], out[30], out[31], out[32] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	return out
}

func putAvatar(t *testing.T, c *nodetest.Client, data []byte) *nodetest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "me.png")
	fw.Write(data)
	mw.Close()
	return c.Do(t, "PUT", "/api/v1/me/avatar", b.Bytes(), "Content-Type", mw.FormDataContentType())
}

func decodeSize(t *testing.T, data []byte) (int, int) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != "jpeg" {
		t.Fatalf("served avatar is not a JPEG: %v %s", err, format)
	}
	return cfg.Width, cfg.Height
}

func TestAvatarUploadResizeAndServe(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		bob := nodetest.Signup(t, n.URL(), "bob")
		nodetest.Befriend(t, ann, bob, "bob")

		if r := ann.Do(t, "GET", "/api/v1/me", nil); r.Get("user.avatar_url") != nil {
			t.Fatalf("no avatar yet, but avatar_url: %s", r.Body)
		}
		for _, tc := range []struct {
			name       string
			data       []byte
			status     int
			code, text string
		}{
			{"not_an_image", []byte("<html><script>alert(1)</script></html>"), 400, "invalid_argument", "JPEG, PNG or WebP"},
			{"gif_refused", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 400, "invalid_argument", "JPEG, PNG or WebP"},
			{"huge_dimensions", hugePNG(t, 20000, 20000), 400, "invalid_argument", "megapixels"},
			{"too_many_pixels", hugePNG(t, 10000, 5000), 400, "invalid_argument", "megapixels"},
			{"truncated_png", pngBytes(t, 64, 64)[:60], 400, "invalid_argument", ""},
			{"empty", nil, 400, "invalid_argument", "empty"},
			{"too_large", append(pngBytes(t, 8, 8), make([]byte, 11<<20)...), 413, "payload_too_large", "10 MiB"},
		} {
			r := putAvatar(t, ann, tc.data)
			if r.Status != tc.status || r.Code() != tc.code || !strings.Contains(string(r.Body), tc.text) {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			}
		}
		if r := ann.Do(t, "GET", "/api/v1/me", nil); r.Get("user.avatar_url") != nil {
			t.Fatalf("refused uploads stored an avatar: %s", r.Body)
		}
		if r := bob.Do(t, "GET", "/api/v1/users/"+ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")+"/avatar", nil); r.Status != 404 {
			t.Fatalf("avatar before any upload: %d", r.Status)
		}

		// A 900×600 PNG: cropped to its centre square, served at 120 and 480.
		r := putAvatar(t, ann, pngBytes(t, 900, 600))
		if r.Status != 200 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		annID, url := r.Str("user.id"), r.Str("user.avatar_url")
		if !strings.HasPrefix(url, "/api/v1/users/"+annID+"/avatar?v=") {
			t.Fatalf("avatar_url %q", url)
		}
		small := bob.Do(t, "GET", url, nil)
		if small.Status != 200 || small.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(small.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("small: %d %v", small.Status, small.Header)
		}
		if w, h := decodeSize(t, small.Body); w != 120 || h != 120 {
			t.Fatalf("small is %d×%d", w, h)
		}
		large := bob.Do(t, "GET", url+"&size=large", nil)
		if w, h := decodeSize(t, large.Body); w != 480 || h != 480 {
			t.Fatalf("large is %d×%d", w, h)
		}
		// The centre square of red|blue keeps both halves: left red, right blue.
		img, _ := jpeg.Decode(bytes.NewReader(large.Body))
		if r, _, b, _ := img.At(40, 240).RGBA(); r>>8 < 150 || b>>8 > 90 {
			t.Errorf("left of the crop is not red: %d %d", r>>8, b>>8)
		}
		if r, _, b, _ := img.At(440, 240).RGBA(); b>>8 < 150 || r>>8 > 90 {
			t.Errorf("right of the crop is not blue: %d %d", r>>8, b>>8)
		}
		if r := bob.Do(t, "GET", url, nil, "If-None-Match", small.Header.Get("ETag")); r.Status != 304 {
			t.Fatalf("revalidation: %d", r.Status)
		}
		if r := bob.Do(t, "GET", url+"&size=huge", nil); r.Status != 400 {
			t.Fatalf("bad size: %d", r.Status)
		}
		if r := nodetest.NewClient(n.URL()).Do(t, "GET", url, nil); r.Status != 401 {
			t.Fatalf("signed out: %d", r.Status)
		}
		// Everywhere a user is returned carries it: contacts, profile.
		c := bob.Do(t, "GET", "/api/v1/contacts", nil)
		if !strings.Contains(string(c.Body), url) {
			t.Fatalf("contacts lack the avatar: %s", c.Body)
		}
		if p := bob.Do(t, "GET", "/api/v1/users/"+annID, nil); p.Str("user.avatar_url") != url {
			t.Fatalf("profile: %s", p.Body)
		}

		// A JPEG replaces it; the url changes; bob's upload changes only his.
		r = putAvatar(t, ann, jpegBytes(t, 300, 700))
		if r.Status != 200 || r.Str("user.avatar_url") == url {
			t.Fatalf("second upload: %d %s", r.Status, r.Body)
		}
		url2 := r.Str("user.avatar_url")
		if r := bob.Do(t, "GET", url, nil); r.Status != 200 || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("an old version is revalidated, not cached for good: %d %v", r.Status, r.Header)
		}
		if r := putAvatar(t, bob, pngBytes(t, 50, 50)); r.Status != 200 || r.Str("user.id") == annID {
			t.Fatalf("bob's upload: %d %s", r.Status, r.Body)
		}
		if p := bob.Do(t, "GET", "/api/v1/users/"+annID, nil); p.Str("user.avatar_url") != url2 {
			t.Fatalf("bob's upload touched ann's avatar: %s", p.Body)
		}
		// Chat members carry it too.
		conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "bob"})
		if !strings.Contains(string(conv.Body), url2) {
			t.Fatalf("conversation members lack the avatar: %s", conv.Body)
		}
		if r := ann.Do(t, "DELETE", "/api/v1/me/avatar", nil); r.Status != 200 || r.Get("user.avatar_url") != nil {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		if r := bob.Do(t, "GET", url2, nil); r.Status != 404 {
			t.Fatalf("removed avatar still served: %d", r.Status)
		}
	})
}

func TestContactNotesAndRemoval(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		bob := nodetest.Signup(t, n.URL(), "bob")
		cat := nodetest.Signup(t, n.URL(), "cat")
		nodetest.Befriend(t, ann, bob, "bob")
		bobID := bob.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		catID := cat.Do(t, "GET", "/api/v1/me", nil).Str("user.id")

		p := ann.Do(t, "GET", "/api/v1/users/"+bobID, nil)
		if p.Status != 200 || p.Get("is_contact") != true || p.Get("blocked") != false || p.Str("user.region") != "US" || p.Str("contact.remark") != "" {
			t.Fatalf("profile of a contact: %d %s", p.Status, p.Body)
		}
		if p := ann.Do(t, "GET", "/api/v1/users/"+catID, nil); p.Status != 200 || p.Get("is_contact") != false || p.Get("contact") != nil || p.Str("user.region") != "" {
			t.Fatalf("profile of a stranger: %d %s", p.Status, p.Body)
		}
		if p := ann.Do(t, "GET", "/api/v1/users/u_nobody", nil); p.Status != 404 || p.Code() != "not_found" {
			t.Fatalf("unknown id: %d %s", p.Status, p.Body)
		}
		for _, tc := range []struct {
			name string
			body any
		}{
			{"remark_too_long", map[string]any{"remark": strings.Repeat("长", 33), "tags": []string{}}},
			{"too_many_tags", map[string]any{"remark": "B", "tags": strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}},
			{"tag_too_long", map[string]any{"remark": "B", "tags": []string{strings.Repeat("x", 17)}}},
			{"duplicate_tag", map[string]any{"remark": "B", "tags": []string{"Work", "work"}}},
			{"empty_tag", map[string]any{"remark": "B", "tags": []string{" "}}},
			{"control_chars", map[string]any{"remark": "B\u202e", "tags": []string{}}},
			{"unknown_field", map[string]any{"remark": "B", "colour": "red"}},
		} {
			if r := ann.Do(t, "PUT", "/api/v1/contacts/"+bobID, tc.body); r.Status != 400 || r.Code() != "invalid_argument" {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			}
		}
		if r := ann.Do(t, "PUT", "/api/v1/contacts/"+catID, map[string]any{"remark": "Cat", "tags": []string{}}); r.Status != 404 {
			t.Fatalf("note on a non-contact: %d %s", r.Status, r.Body)
		}
		r := ann.Do(t, "PUT", "/api/v1/contacts/"+bobID, map[string]any{"remark": "Bobby 鲍勃", "tags": []string{"Work", "Climbing"}})
		if r.Status != 200 || r.Str("contact.remark") != "Bobby 鲍勃" {
			t.Fatalf("set note: %d %s", r.Status, r.Body)
		}
		c := ann.Do(t, "GET", "/api/v1/contacts", nil)
		item := c.JSON["items"].([]any)[0].(map[string]any)
		if item["remark"] != "Bobby 鲍勃" || item["username"] != "bob" || len(item["tags"].([]any)) != 2 {
			t.Fatalf("contacts item: %s", c.Body)
		}
		// Only ann sees her note.
		if c := bob.Do(t, "GET", "/api/v1/contacts", nil); strings.Contains(string(c.Body), "Bobby") {
			t.Fatalf("bob sees ann's remark: %s", c.Body)
		}
		if p := ann.Do(t, "GET", "/api/v1/users/bob", nil); p.Str("contact.remark") != "Bobby 鲍勃" {
			t.Fatalf("profile by username: %s", p.Body)
		}

		// Removing a contact removes it both ways, with the notes.
		if r := ann.Do(t, "DELETE", "/api/v1/contacts/"+bobID, nil); r.Status != 204 {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "DELETE", "/api/v1/contacts/"+bobID, nil); r.Status != 404 {
			t.Fatalf("remove again: %d %s", r.Status, r.Body)
		}
		for _, c := range []*nodetest.Client{ann, bob} {
			if r := c.Do(t, "GET", "/api/v1/contacts", nil); len(r.JSON["items"].([]any)) != 0 {
				t.Fatalf("contact left after removal: %s", r.Body)
			}
		}
		if r := ann.Do(t, "PUT", "/api/v1/contacts/"+bobID, map[string]any{"remark": "x", "tags": []string{}}); r.Status != 404 {
			t.Fatalf("note after removal: %d", r.Status)
		}
		if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]string{"user_id": catID}); r.Status != 200 {
			t.Fatalf("block: %d", r.Status)
		}
		exp := ann.Do(t, "GET", "/api/v1/me/export?format=json", nil)
		if exp.Status != 200 || !strings.Contains(string(exp.Body), `"account/blocks"`) || !strings.Contains(string(exp.Body), `"username":"cat"`) {
			t.Fatalf("export lacks the blocks: %d %.400s", exp.Status, exp.Body)
		}
		nodetest.Befriend(t, ann, bob, "bob")
		if p := ann.Do(t, "GET", "/api/v1/users/"+bobID, nil); p.Str("contact.remark") != "" {
			t.Fatalf("old remark came back: %s", p.Body)
		}
	})
}

func TestBlockStopsMessagesAndRequests(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		bob := nodetest.Signup(t, n.URL(), "bob")
		cat := nodetest.Signup(t, n.URL(), "cat")
		nodetest.Befriend(t, ann, bob, "bob")
		annID := ann.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		bobID := bob.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		catID := cat.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		conv := bob.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": "ann"}).Str("conversation.id")
		send := func(c *nodetest.Client, id, text string) *nodetest.Response {
			return c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": id, "kind": "text", "text": text})
		}
		if r := send(bob, "b1", "hello"); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		// cat asks ann; then ann blocks bob and cat.
		if r := cat.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}); r.Status != 201 {
			t.Fatalf("request: %d %s", r.Status, r.Body)
		}
		for _, id := range []string{bobID, catID, bobID} { // twice is fine
			if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]string{"user_id": id}); r.Status != 200 {
				t.Fatalf("block: %d %s", r.Status, r.Body)
			}
		}
		if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]string{"user_id": annID}); r.Status != 400 {
			t.Fatalf("block oneself: %d", r.Status)
		}
		if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]string{"user_id": "u_nobody"}); r.Status != 404 {
			t.Fatalf("block nobody: %d", r.Status)
		}
		if r := ann.Do(t, "GET", "/api/v1/blocks", nil); len(r.JSON["items"].([]any)) != 2 {
			t.Fatalf("blocks: %s", r.Body)
		}
		if p := ann.Do(t, "GET", "/api/v1/users/"+bobID, nil); p.Get("blocked") != true || p.Get("is_contact") != true {
			t.Fatalf("profile of a blocked contact: %s", p.Body)
		}
		// bob's message is refused, neutrally, and nothing is written.
		r := send(bob, "b2", "are you there?")
		if r.Status != 403 || r.Code() != "forbidden" || strings.Contains(strings.ToLower(string(r.Body)), "block") {
			t.Fatalf("blocked send: %d %s", r.Status, r.Body)
		}
		sock := bob.Dial(t)
		defer sock.Close()
		sock.Send(t, map[string]any{"type": "send", "conversation_id": conv, "client_id": "b3", "kind": "text", "text": "socket"})
		f := sock.Next(t, 10e9, func(f nodetest.Frame) bool { return f.Str("type") == "error" || f.Str("type") == "ack" })
		if f.Str("type") != "error" || f.Str("error.code") != "forbidden" {
			t.Fatalf("blocked socket send: %v", f)
		}
		h := ann.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil)
		if items := h.JSON["items"].([]any); len(items) != 1 {
			t.Fatalf("history after blocked sends: %s", h.Body)
		}
		// Money in the direct chat is refused too, before any moves.
		if r := bob.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"}); r.Status != 204 {
			t.Fatalf("pin: %d %s", r.Status, r.Body)
		}
		if r := money(t, bob, "/api/v1/wallet/topups", map[string]any{"amount": 5_000, "currency": "CNY"}); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
		if r := money(t, bob, "/api/v1/wallet/transfers", map[string]any{"username": "ann", "amount": 100, "currency": "CNY", "note": "", "pin": "135790"}); r.Status != 403 || r.Code() != "forbidden" {
			t.Fatalf("transfer to the blocker: %d %s", r.Status, r.Body)
		}
		if r := money(t, bob, "/api/v1/conversations/"+conv+"/red-packets", map[string]any{"total": 100, "count": 1, "currency": "CNY", "pin": "135790"}); r.Status != 403 {
			t.Fatalf("red packet to the blocker: %d %s", r.Status, r.Body)
		}
		if w := bob.Do(t, "GET", "/api/v1/wallet", nil); !strings.Contains(string(w.Body), `"amount":5000`) {
			t.Fatalf("refused money moved: %s", w.Body)
		}
		// ann may still write to bob (blocking is one way).
		if r := send(ann, "a1", "I blocked you"); r.Status != 201 {
			t.Fatalf("blocker sends: %d %s", r.Status, r.Body)
		}
		// cat's pending request was declined; a new one is refused, neutrally.
		if r := ann.Do(t, "GET", "/api/v1/contacts/requests", nil); !strings.Contains(string(r.Body), `"declined"`) {
			t.Fatalf("pending request from a blocked user: %s", r.Body)
		}
		r = cat.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann", "message": "again"})
		if r.Status != 403 || r.Code() != "forbidden" || strings.Contains(strings.ToLower(string(r.Body)), "block") {
			t.Fatalf("request from a blocked user: %d %s", r.Status, r.Body)
		}
		if r := ann.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "cat"}); r.Status != 403 {
			t.Fatalf("the blocker asks the blocked: %d %s", r.Status, r.Body)
		}

		// Unblocking restores both.
		for _, id := range []string{bobID, catID} {
			if r := ann.Do(t, "DELETE", "/api/v1/blocks/"+id, nil); r.Status != 204 {
				t.Fatalf("unblock: %d %s", r.Status, r.Body)
			}
		}
		if r := send(bob, "b4", "back"); r.Status != 201 {
			t.Fatalf("send after unblock: %d %s", r.Status, r.Body)
		}
		if r := cat.Do(t, "POST", "/api/v1/contacts/requests", map[string]string{"username": "ann"}); r.Status != 201 {
			t.Fatalf("request after unblock: %d %s", r.Status, r.Body)
		}
	})
}

// Erasing an account deletes its avatar and blocks with it.
func TestEraseDeletesAvatarAndBlocks(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ann := nodetest.Signup(t, n.URL(), "ann")
		bob := nodetest.Signup(t, n.URL(), "bob")
		r := putAvatar(t, ann, pngBytes(t, 64, 64))
		if r.Status != 200 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		annID, url := r.Str("user.id"), r.Str("user.avatar_url")
		bobID := bob.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		if r := ann.Do(t, "POST", "/api/v1/blocks", map[string]string{"user_id": bobID}); r.Status != 200 {
			t.Fatalf("block: %d", r.Status)
		}
		if r := ann.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"}); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		if r := bob.Do(t, "GET", url, nil); r.Status != 404 {
			t.Fatalf("an erased user's avatar is served: %d", r.Status)
		}
		var rows int
		if err := n.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM avatars WHERE user_id = ?", annID).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("avatar rows left: %d %v", rows, err)
		}
		if err := n.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM blocks WHERE user_id = ? OR blocked_id = ?", annID, annID).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("block rows left: %d %v", rows, err)
		}
		if p := bob.Do(t, "GET", "/api/v1/users/"+annID, nil); p.Get("user.avatar_url") != nil {
			t.Fatalf("the pseudonym carries the avatar: %s", p.Body)
		}
	})
}
