package chat_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The search benchmark's history: benchConvs conversations of
// benchPerConv messages each (1,000,000), English and Chinese. ann is in
// 50 of them (50,000 messages: the index path), bob in 5 (the scan path).
// It is built once and kept (SQLite: a file in the temp folder;
// PostgreSQL: a database of its own), named by benchVersion.
const (
	benchVersion = "v1"
	benchConvs   = 1000
	benchPerConv = 1000
)

var benchEnglish = strings.Fields(`the a to and you is it for on we of in that this at be are meet
	tomorrow today coffee meeting lunch dinner call later ok thanks please send photo office project
	report budget weekend hiking movie train ticket hotel airport birthday party gift family friend
	phone number address price order deliver package invoice payment transfer review deadline
	monday friday morning evening night happy great sorry busy free`)

var benchChinese = strings.Fields(`明天 今天 下午 晚上 开会 吃饭 星巴克 见面 谢谢 好的 没问题 周末 爬山
	电影 火车票 酒店 机场 生日 快乐 朋友 家人 电话 地址 价格 订单 快递 发票 付款 转账 项目 报告 预算
	加班 休息 早上好 晚安 辛苦了 收到 马上到 等一下 北京 上海 深圳 杭州 天气 下雨 咖啡 奶茶`)

func benchText(rng *rand.Rand) string {
	pick := func(words []string) string {
		return words[min(len(words)-1, int(rng.ExpFloat64()*float64(len(words))/4))]
	}
	n := 3 + rng.IntN(8)
	var b strings.Builder
	for i := range n {
		if rng.IntN(10) < 3 {
			b.WriteString(pick(benchChinese))
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pick(benchEnglish))
	}
	return b.String()
}

// benchUsers are the searchers' ids.
type benchUsers struct{ ann, bob string }

func benchNode(b *testing.B, postgres bool) (*node.Node, benchUsers) {
	var dbURL string
	if postgres {
		admin := os.Getenv("PLAZA_TEST_POSTGRES")
		if admin == "" {
			b.Skip("PLAZA_TEST_POSTGRES is not set")
		}
		name := "plaza_bench_search_" + benchVersion
		adminDB, err := sql.Open("pgx", admin)
		if err != nil {
			b.Fatal(err)
		}
		defer adminDB.Close()
		var exists bool
		if err := adminDB.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
			b.Fatal(err)
		}
		pu, _ := url.Parse(admin)
		pu.Path = "/" + name
		dbURL = pu.String()
		if exists && !benchBuilt(b, dbURL) {
			if _, err := adminDB.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
				b.Fatal(err)
			}
			exists = false
		}
		if !exists {
			if _, err := adminDB.Exec("CREATE DATABASE " + name); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		dbURL = filepath.Join(os.TempDir(), "plaza-search-bench-"+benchVersion+".db")
		if _, err := os.Stat(dbURL); err == nil && !benchBuilt(b, dbURL) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(dbURL + suffix)
			}
		}
	}
	n := nodetest.Start(b, nodetest.Options{DBURL: dbURL})
	ctx := context.Background()
	var done int
	_ = n.DB.QueryRow(ctx, `SELECT COUNT(*) FROM bench_search_built`).Scan(&done)
	if done == 0 {
		start := time.Now()
		nodetest.Signup(b, n.URL(), "ann")
		nodetest.Signup(b, n.URL(), "bob")
		users := benchIDs(b, n)
		fillBench(b, n.DB, users)
		b.Logf("built the %s history of %d messages in %v", n.DB.Dialect, benchConvs*benchPerConv, time.Since(start))
	}
	return n, benchIDs(b, n)
}

func benchBuilt(b *testing.B, dbURL string) bool {
	db, err := sqldb.Open(context.Background(), dbURL, "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var done int
	_ = db.QueryRow(context.Background(), `SELECT COUNT(*) FROM bench_search_built`).Scan(&done)
	return done > 0
}

func benchIDs(b *testing.B, n *node.Node) benchUsers {
	var u benchUsers
	ctx := context.Background()
	if err := n.DB.QueryRow(ctx, `SELECT id FROM users WHERE username = 'ann'`).Scan(&u.ann); err != nil {
		b.Fatal(err)
	}
	if err := n.DB.QueryRow(ctx, `SELECT id FROM users WHERE username = 'bob'`).Scan(&u.bob); err != nil {
		b.Fatal(err)
	}
	return u
}

// fillBench writes the history with multi-row inserts (the triggers index
// each message as the chat's own sends would).
func fillBench(b *testing.B, db *sqldb.DB, u benchUsers) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	err := db.Tx(ctx, func(tx *sqldb.Tx) error {
		for c := range benchConvs {
			id := fmt.Sprintf("cbench%04d", c)
			if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, type, title, direct_key, created_by, created_at, updated_at, last_seq) VALUES (?, 'group', ?, NULL, 'ubench0', ?, ?, ?)`,
				id, fmt.Sprintf("Group %d", c), base, base, benchPerConv); err != nil {
				return err
			}
			members := []string{fmt.Sprintf("ubench%d", c), fmt.Sprintf("ubench%d", c+1)}
			if c < 50 {
				members = append(members, u.ann)
			}
			if c < 5 {
				members = append(members, u.bob)
			}
			for _, m := range members {
				if _, err := tx.Exec(ctx, `INSERT INTO members (conversation_id, user_id, read_seq, joined_at, joined_seq) VALUES (?, ?, 0, ?, 0)`, id, m, base); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const rows = 500
	total := benchConvs * benchPerConv
	for start := 0; start < total; start += 20 * rows {
		err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			for chunk := start; chunk < min(total, start+20*rows); chunk += rows {
				var q strings.Builder
				q.WriteString(`INSERT INTO messages (id, conversation_id, seq, sender_id, kind, text, client_id, media_id, ref_id, created_at) VALUES `)
				var args []any
				for i := chunk; i < chunk+rows; i++ {
					if i > chunk {
						q.WriteString(",")
					}
					q.WriteString("(?, ?, ?, ?, 'text', ?, ?, NULL, NULL, ?)")
					c, seq := i%benchConvs, int64(i/benchConvs+1)
					args = append(args, fmt.Sprintf("mbench%07d", i), fmt.Sprintf("cbench%04d", c), seq,
						fmt.Sprintf("ubench%d", c+rng.IntN(2)), benchText(rng), fmt.Sprintf("k%d", i), base+int64(i)*1000)
				}
				if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `CREATE TABLE bench_search_built (done INTEGER)`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO bench_search_built VALUES (1)`); err != nil {
		b.Fatal(err)
	}
	_, _ = db.Exec(ctx, `ANALYZE`)
}

// BenchmarkSearch measures searches over 1,000,000 messages, English and
// Chinese, common and rare words, three characters and two, in all of a
// user's chats and in one, on each database; it reports p50 and p99 of
// one search (ms): p50_ms and p99_ms of words of 3 characters or more (the
// trigram index), short_p50_ms and short_p99_ms of shorter ones (a scan of
// the caller's messages). Run it as
//
//	go test -run '^$' -bench BenchmarkSearch -benchtime 400x ./internal/chat/
func BenchmarkSearch(b *testing.B) {
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		b.Run(db.name, func(b *testing.B) {
			n, u := benchNode(b, db.postgres)
			type search struct{ user, q, conv string }
			searches := []search{
				{u.ann, "coffee", ""}, {u.ann, "the", ""}, {u.ann, "meeting tomorrow", ""}, {u.ann, "星巴克", ""},
				{u.ann, "早上好", ""}, {u.ann, "明天", ""}, {u.ann, "zzqx", ""}, {u.ann, "invoice", "cbench0003"},
				{u.ann, "见面", "cbench0007"}, {u.bob, "coffee", ""}, {u.bob, "明天", ""}, {u.bob, "火车票", ""},
			}
			ctx := context.Background()
			for _, s := range searches { // warm the caches
				if _, _, err := n.Chat.Search(ctx, s.user, s.q, s.conv, "", 20); err != nil {
					b.Fatal(err)
				}
			}
			worst := make([]time.Duration, len(searches))
			var took, short []time.Duration // through the index; words under 3 characters
			b.ResetTimer()
			for i := range b.N {
				s := searches[i%len(searches)]
				t0 := time.Now()
				if _, _, err := n.Chat.Search(ctx, s.user, s.q, s.conv, "", 20); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				if len([]rune(s.q)) < 3 {
					short = append(short, d)
				} else {
					took = append(took, d)
				}
				worst[i%len(searches)] = max(worst[i%len(searches)], d)
			}
			b.StopTimer()
			for i, s := range searches {
				b.Logf("%q in %q: slowest %v", s.q, s.conv, worst[i])
			}
			ms := func(took []time.Duration, p float64) float64 {
				if len(took) == 0 {
					return 0
				}
				slices.Sort(took)
				return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(took, 0.50), "p50_ms")
			b.ReportMetric(ms(took, 0.99), "p99_ms")
			b.ReportMetric(ms(short, 0.50), "short_p50_ms")
			b.ReportMetric(ms(short, 0.99), "short_p99_ms")
		})
	}
}
