//go:build ignore

// icons renders the Plaza mark (components/Logo.tsx, public/favicon.svg)
// as the PNG icons the manifest and iOS want, in headless Chromium:
//
//	go run ./web/scripts/icons.go   (from the repository root; writes web/public/icons/)
//
// Maskable icons fill the square with the green and keep the bubble in
// the middle 70% (the safe zone is the inner 80%).
package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

const draw = `(function (size, maskable, corner) {
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d');
  g.fillStyle = '#07C160';
  if (maskable || corner === 0) g.fillRect(0, 0, size, size);
  else { g.beginPath(); g.roundRect(0, 0, size, size, size * corner); g.fill(); }
  const k = maskable ? 0.7 : 1;
  g.translate(size * (1 - k) / 2, size * (1 - k) / 2);
  g.scale(size * k / 64, size * k / 64);
  g.fillStyle = '#fff';
  g.fill(new Path2D('M32 13c-11.6 0-21 7.8-21 17.5 0 5.4 2.9 10.2 7.5 13.4L16.8 51l8.3-4.3c2.2.5 4.5.8 6.9.8 11.6 0 21-7.8 21-17.5S43.6 13 32 13z'));
  g.fillStyle = '#07C160';
  for (const x of [23.5, 32, 40.5]) { g.beginPath(); g.arc(x, 30.5, 3, 0, Math.PI * 2); g.fill(); }
  return c.toDataURL('image/png');
})(%d, %t, %v)`

func main() {
	exe := os.Getenv("PLAZA_CHROMIUM")
	if exe == "" {
		exe, _ = exec.LookPath("chromium")
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		log.Fatal(err)
	}
	dir := filepath.Join("web", "public", "icons")
	os.MkdirAll(dir, 0o755)
	for _, icon := range []struct {
		name     string
		size     int
		maskable bool
		corner   float64
	}{
		{"icon-192.png", 192, false, 0.22},
		{"icon-512.png", 512, false, 0.22},
		{"maskable-512.png", 512, true, 0},
		{"apple-touch-icon.png", 180, false, 0}, // iOS rounds the corners itself
	} {
		url, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(draw, icon.size, icon.maskable, icon.corner)))
		if err != nil {
			log.Fatal(err)
		}
		png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, icon.name), png, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %d bytes\n", icon.name, len(png))
	}
}
