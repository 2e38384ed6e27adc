package live_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// BenchmarkRush is the README's rush: 1,000 buyers at once on ten items
// (ten skus, one left of each), through the HTTP handler, the real
// merchant order and the database (SQLite, and PostgreSQL when
// PLAZA_TEST_POSTGRES is set). It reports the buy requests answered a
// second, the orders placed a second and the rush's wall time.
func BenchmarkRush(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var db *sqldb.DB
			if backend == "sqlite" {
				db = dbtest.SQLite(b, sets...)
			} else {
				db = dbtest.Postgres(b, sets...)
			}
			e := newEnv(b, db)
			var total time.Duration
			var placed int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				id := e.room()
				e.goLive(id)
				e.shelf(id, 10, 1)
				b.StartTimer()
				start := time.Now()
				var ok atomic.Int64
				var wg sync.WaitGroup
				for j := 0; j < 1000; j++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if r := e.buy(fmt.Sprintf("u_%d", j), id, fmt.Sprintf("sku%d", j%10), 1, "k"); r.status == 201 {
							ok.Add(1)
						}
					}()
				}
				wg.Wait()
				total += time.Since(start)
				if ok.Load() != 10 {
					b.Fatalf("%d orders for ten items", ok.Load())
				}
				placed += ok.Load()
			}
			b.ReportMetric(float64(1000*b.N)/total.Seconds(), "requests/s")
			b.ReportMetric(float64(placed)/total.Seconds(), "orders/s")
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/rush")
		})
	}
}

// BenchmarkOrders is buying with stock to spare: each buy holds stock,
// records the purchase and places its merchant order (SQLite, and
// PostgreSQL when set). It reports orders placed a second.
func BenchmarkOrders(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var db *sqldb.DB
			if backend == "sqlite" {
				db = dbtest.SQLite(b, sets...)
			} else {
				db = dbtest.Postgres(b, sets...)
			}
			e := newEnv(b, db)
			id := e.room()
			e.goLive(id)
			e.shelf(id, 1, 1_000_000)
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := n.Add(1)
					if r := e.buy(fmt.Sprintf("u_%d", k), id, "sku0", 1, "k"); r.status != 201 {
						b.Errorf("status %d: %s", r.status, r.body)
						return
					}
				}
			})
			b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "orders/s")
		})
	}
}
