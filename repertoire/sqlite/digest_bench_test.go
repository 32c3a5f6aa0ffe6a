package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// benchDigestStore holds n entries in one channel, spread evenly over two
// years up to end, each with a saver and some votes, and a few open questions
// in the last week.
func benchDigestStore(b *testing.B, n int, end time.Time) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "digest-bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	r := rand.New(rand.NewPCG(5, 6))
	z := benchZipf(r)
	span := 2 * 365 * 24 * time.Hour
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, channel_name, source_id, kind,
			question, answer, author_id, author_name, tags, permalink, created_at, updated_at)
			VALUES ('bench', 's', 'busy', 'busy', ?, 'tip', ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		saver, err := tx.PrepareContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer saver.Close()
		vote, err := tx.PrepareContext(ctx, `INSERT INTO votes (entry_id, user_id, voted_at) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer vote.Close()
		for i := range n {
			at := end.Add(-span + time.Duration(i)*(span/time.Duration(n))).UnixMilli()
			author := fmt.Sprint("U", r.IntN(300))
			res, err := ins.ExecContext(ctx, fmt.Sprint("m", i), benchText(r, z, 12), benchText(r, z, 60), author, "member "+author,
				benchWord(uint64(r.IntN(40))), fmt.Sprint("https://chat.example/busy/m", i), at, at)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			if _, err := saver.ExecContext(ctx, id, fmt.Sprint("S", r.IntN(300)), "saver", at); err != nil {
				return err
			}
			for v := range r.IntN(4) {
				if _, err := vote.ExecContext(ctx, id, fmt.Sprint("V", v), at); err != nil {
					return err
				}
			}
		}
		for i := range 15 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO open_questions (platform, space, channel_id, asker_id, asker_name, text, asked_at)
				VALUES ('bench', 's', 'busy', 'U1', 'asker', ?, ?)`, benchText(r, z, 10), end.Add(-time.Duration(i)*time.Hour).UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDigestData100k reads one week's digest data (about 960 new
// entries, the best 30 with savers, contributors, open questions, the entry
// to rediscover) of a channel holding 100k entries ("data"), and the list of
// channels the scheduler reads at every poll ("channels"). The core's
// composition of that data is BenchmarkComposeDigest in bot/.
// Run: go test ./repertoire -run X -bench DigestData100k
func BenchmarkDigestData100k(b *testing.B) {
	end := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s := benchDigestStore(b, benchSize, end)
	ctx := context.Background()
	ch := repertoire.Channel{Platform: "bench", Space: "s", ID: "busy"}
	start := end.Add(-7 * 24 * time.Hour)
	b.Run("data", func(b *testing.B) {
		for b.Loop() {
			d, err := s.DigestData(ctx, ch, start, end, repertoire.DigestLimits{})
			if err != nil {
				b.Fatal(err)
			}
			if d.TotalEntries == 0 || len(d.Entries) != 30 || d.Rediscover == nil {
				b.Fatalf("unexpected data: %d entries, rediscover %v", d.TotalEntries, d.Rediscover != nil)
			}
		}
	})
	b.Run("channels", func(b *testing.B) {
		for b.Loop() {
			if chs, err := s.ActiveChannels(ctx); err != nil || len(chs) != 1 {
				b.Fatal(chs, err)
			}
		}
	})
}
