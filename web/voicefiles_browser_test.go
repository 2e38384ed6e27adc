package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
)

// Voice and files, as two people use them on a phone and on a desktop:
// Ann records a voice message (held on the phone, slid up once to
// cancel; clicked on the desktop) from Chromium's fake microphone, Ben
// sees it unplayed and plays it inline; Ann sends a file, whose upload
// shows its progress, and cancels a large one (nothing is sent); Ben
// downloads the file under its name.
func TestVoiceAndFilesInBrowser(t *testing.T) {
	alloc := bt.Allocator(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	n := nodetest.Start(t, nodetest.Options{})
	dir := t.TempDir()
	report := filepath.Join(dir, "Quarterly report.pdf")
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	if err := os.WriteFile(report, bytes.Repeat(pdf, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "holiday-video.bin")
	if f, err := os.Create(big); err != nil || f.Truncate(90<<20) != nil || f.Close() != nil {
		t.Fatal("making the large file")
	}
	for _, size := range []struct {
		name string
		vp   [2]int64
	}{{"phone", bt.Phone}, {"desktop", [2]int64{1440, 900}}} {
		t.Run(size.name, func(t *testing.T) {
			annName, benName := "ann"+size.name[:1], "ben"+size.name[:1]
			ann := nodetest.Signup(t, n.URL(), annName)
			ben := nodetest.Signup(t, n.URL(), benName)
			nodetest.Befriend(t, ann, ben, benName)
			conv := ann.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "direct", "username": benName}).Str("conversation.id")
			vfSend(t, ann, conv, "t1", "Listen to this, and here is the report")

			annB := bt.New(t, alloc, "ann", size.vp)
			benB := bt.New(t, alloc, "ben", size.vp)
			login(annB, n.URL(), annName)
			login(benB, n.URL(), benName)
			for _, b := range []*bt.Browser{annB, benB} {
				b.Run("opening the conversation", chromedp.Navigate(n.URL()+"/chats/"+conv), bt.Visible(`#conversation [data-seq="1"]`))
			}

			annB.Run("switching to voice", bt.Click("#composer-voice"))
			if size.name == "phone" {
				holdToTalk(t, annB)
			} else {
				annB.Run("recording with a click",
					bt.Click("#voice-record"),
					chromedp.Poll[chromedp.Void](`(document.querySelector('.voice-desk-clock')?.textContent ?? '') >= '0:02'`, chromedp.WithPollingTimeout(15*time.Second)),
				)
				annB.Screenshot("voice-recording")
				annB.Run("sending it", bt.Click("#voice-send"))
			}
			voice := `#conversation [data-kind="voice"][data-seq="2"]`
			annB.Run("seeing the voice message sent", bt.Visible(voice))
			benB.Run("seeing it unplayed", bt.Visible(voice+" .voice-unplayed"))
			secs := benB.Text(voice + " .voice-secs")
			// Held for two seconds or a little more (a loaded machine releases late).
			if !strings.HasSuffix(secs, "″") || secs < "2″" || secs > "9″" || len(secs) != len("2″") {
				t.Fatalf("the voice lasts %q, want 2 to 9 s", secs)
			}
			benB.Screenshot("voice-unplayed")
			benB.Run("playing it inline",
				bt.Click(voice+" .bubble-voice"),
				chromedp.Poll[chromedp.Void](`document.querySelector('`+voice+` audio').currentTime > 0.2`, chromedp.WithPollingTimeout(15*time.Second)),
				chromedp.WaitNotPresent(chromedp.CSS(voice+" .voice-unplayed")),
			)
			benB.Screenshot("voice-playing")

			annB.Run("back to the keyboard", bt.Click("#composer-voice"), bt.Visible("#composer-input"))
			annB.Run("sending a file",
				bt.Click("#composer-more"),
				bt.Visible("#composer-file"),
				chromedp.SetUploadFiles(chromedp.CSS("#composer-file"), []string{report}),
			)
			file := `#conversation [data-kind="file"][data-seq="3"]`
			for _, b := range []*bt.Browser{annB, benB} {
				b.Run("seeing the file", bt.Visible(file+" .file-name"))
				if got := b.Text(file + " .file-name"); got != "Quarterly report.pdf" {
					t.Fatalf("%s sees the file as %q", b.Name, got)
				}
				if fam := b.Attrs(file+" .file-icon", "data-family"); len(fam) != 1 || fam[0] != "pdf" {
					t.Fatalf("%s sees the icon %v", b.Name, fam)
				}
			}

			throttle(t, annB, 1<<20) // 1 MB/s: the large upload takes long enough to watch
			pending := `#conversation [data-pending][data-kind="file"]`
			annB.Run("sending a large file",
				bt.Click("#composer-more"),
				bt.Visible("#composer-file"),
				chromedp.SetUploadFiles(chromedp.CSS("#composer-file"), []string{big}),
				bt.Visible(pending+" .file-progress"),
				chromedp.Poll[chromedp.Void](`Number(document.querySelector('`+pending+` .file-progress')?.getAttribute('aria-valuenow')) > 0`, chromedp.WithPollingTimeout(15*time.Second)),
			)
			annB.Screenshot("upload-progress")
			annB.Run("cancelling it", bt.Click(pending+" .file-cancel"), chromedp.WaitNotPresent(chromedp.CSS(pending)))
			throttle(t, annB, -1)
			annB.Screenshot("upload-cancelled")
			msgs := ann.Do(t, "GET", "/api/v1/conversations/"+conv+"/messages?after_seq=0", nil)
			if strings.Contains(string(msgs.Body), "holiday-video") || strings.Contains(string(msgs.Body), `"seq":4`) {
				t.Fatalf("the cancelled upload was sent: %s", msgs.Body)
			}

			downloads := t.TempDir()
			bctx := chromedp.FromContext(benB.Ctx).BrowserContextID
			if _, err := chromedp.CallBrowser(benB.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: bctx, DownloadPath: downloads,
			}); err != nil {
				t.Fatal(err)
			}
			benB.Run("downloading the file", bt.Click(file+" .bubble-file"))
			want, _ := os.ReadFile(report)
			nodetest.WaitFor(t, 20*time.Second, func() bool {
				got, err := os.ReadFile(filepath.Join(downloads, "Quarterly report.pdf"))
				return err == nil && bytes.Equal(got, want)
			})
			benB.Screenshot("file-received")
			annB.Screenshot("file-sent")
		})
	}
}

// holdToTalk holds the phone's "Hold to Talk" button: once slid up and
// released (cancelled: nothing is sent), then for two seconds and released.
func holdToTalk(t *testing.T, b *bt.Browser) {
	t.Helper()
	b.Run("seeing Hold to Talk", bt.Visible("#voice-hold"))
	var box []float64
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('#voice-hold').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	x, y := box[0], box[1]
	press := chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))
	release := func(y float64) chromedp.Action[chromedp.Void] {
		return chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))
	}
	moveTo := func(y float64) chromedp.Action[chromedp.Void] {
		return chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, chromedp.ButtonLeft)
	}
	recording := chromedp.Poll[chromedp.Void](`(document.querySelector('.voice-overlay-clock')?.textContent ?? '').startsWith('0:0')`, chromedp.WithPollingTimeout(15*time.Second))
	b.Run("holding, then sliding up", press, recording, moveTo(y-40), moveTo(y-120), bt.Visible(".voice-overlay.cancelling"))
	b.Screenshot("voice-slide-to-cancel")
	b.Run("releasing to cancel", release(y-120), chromedp.WaitNotPresent(chromedp.CSS(".voice-overlay")))
	if got := b.Count(`#conversation [data-kind="voice"]`); got != "0" {
		t.Fatalf("a cancelled recording was sent (%s voice messages)", got)
	}
	b.Run("holding to talk", press, recording,
		chromedp.Poll[chromedp.Void](`(document.querySelector('.voice-overlay-clock')?.textContent ?? '') >= '0:02'`, chromedp.WithPollingTimeout(15*time.Second)))
	b.Screenshot("voice-holding")
	b.Run("releasing to send", release(y), chromedp.WaitNotPresent(chromedp.CSS(".voice-overlay")))
}

// throttle caps the browser's upload rate (bytes a second; -1 lifts it).
func throttle(t *testing.T, b *bt.Browser, rate float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	conds := []*network.Conditions{}
	if rate > 0 {
		conds = append(conds, &network.Conditions{URLPattern: "", UploadThroughput: rate, DownloadThroughput: -1})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
		t.Fatal(fmt.Errorf("throttling: %w", err))
	}
}

func vfSend(t *testing.T, c *nodetest.Client, conv, clientID, text string) {
	t.Helper()
	if r := c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_id": clientID, "kind": "text", "text": text}); r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
}
