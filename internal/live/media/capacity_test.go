package media_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live/media"
)

// TestCapacity ramps viewers of one host until delivery drops under 95%
// or the CPU saturates, at 720p-like 1.5 Mb/s and at the lowest simulcast
// layer (150 kb/s). The viewers run in this process too, so they share
// the machine's cores with the server: the figures are a floor.
// PLAZA_MEDIA_CAPACITY=1 runs it.
func TestCapacity(t *testing.T) {
	if os.Getenv("PLAZA_MEDIA_CAPACITY") != "1" {
		t.Skip("PLAZA_MEDIA_CAPACITY=1 measures viewer capacity")
	}
	for _, c := range []struct {
		name  string
		layer int
	}{{"1.5 Mb/s (layer f)", 0}, {"150 kb/s (layer q)", 1}} {
		n := ramp(t, c.layer)
		t.Logf("CAPACITY %s: %d viewers at >=95%% delivery on %d cores", c.name, n, runtime.NumCPU())
		fmt.Printf("CAPACITY %s: %d viewers at >=95%% delivery on %d cores\n", c.name, n, runtime.NumCPU())
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// machineBusy is the whole machine's busy and total jiffies (/proc/stat).
func machineBusy() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	for i, x := range f[1:] {
		v, _ := strconv.ParseFloat(x, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

func ramp(t *testing.T, layer int) int {
	s, err := media.New(media.Config{Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.FixLayers()
	room := fmt.Sprintf("cap%d", layer)
	h := newHost(t, s, room, []string{"f", "q"}, []int{1_500_000, 150_000}, nil)
	defer h.close()
	eventually(t, 5*time.Second, "two layers", func() bool { return len(s.LayerRIDs(room)) == 2 })
	src := h.layers[layer]
	var ws []*watcher
	defer func() {
		for _, w := range ws {
			w.pc.Close()
		}
	}()
	good := 0
	for _, target := range []int{5, 10, 20, 30, 40, 60, 80, 100, 130, 160, 200, 250, 300, 400, 500} {
		for len(ws) < target {
			w, err := newWatcher(t, s, room)
			if err != nil {
				t.Logf("viewer %d: %v", len(ws)+1, err)
				return good
			}
			s.SetLayer(room, w.session, layer)
			ws = append(ws, w)
		}
		time.Sleep(2 * time.Second) // joins settle, keyframes arrive
		before := make([]int64, len(ws))
		for i, w := range ws {
			before[i] = w.video.Load()
		}
		sent0, cpu0, t0 := src.sent.Load(), cpuSeconds(), time.Now()
		mb0, mt0 := machineBusy()
		time.Sleep(3 * time.Second)
		sent := src.sent.Load() - sent0
		cpu := (cpuSeconds() - cpu0) / time.Since(t0).Seconds() / float64(runtime.NumCPU())
		mb1, mt1 := machineBusy()
		machine := (mb1 - mb0) / max(mt1-mt0, 1)
		var got int64
		for i, w := range ws {
			got += w.video.Load() - before[i]
		}
		ratio := float64(got) / float64(sent*int64(len(ws)))
		t.Logf("layer %d: %3d viewers: delivery %.1f%%, this process %.0f%% of the CPUs, machine %.0f%% busy (%d packets/s per viewer)", layer, len(ws), 100*ratio, 100*cpu, 100*machine, sent/3)
		if ratio < 0.95 {
			return good
		}
		good = len(ws)
		if cpu > 0.95 {
			return good
		}
	}
	return good
}
