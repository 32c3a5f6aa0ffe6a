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

// BenchmarkBulkFold20k measures folding 20,000 entries written by other
// means (direct SQL, as recall-bench builds its corpora) into the search
// postings: the work Open does for a large backlog. Run:
// go test ./repertoire/sqlite -run '^$' -bench BulkFold -benchtime 1x
func BenchmarkBulkFold20k(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "fold.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		z := benchZipf(r)
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, created_at, updated_at) VALUES ('bench', 's', ?, 0, ?, 'tip', ?, ?, 'U1', '', ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 20_000 {
			if _, err := stmt.ExecContext(ctx, fmt.Sprint("c", i%50), fmt.Sprint("m", i), benchText(r, z, 12), benchText(r, z, 60), i, i); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.tx(ctx, "", func(*sql.Tx) error { return nil }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
	}
}

// BenchmarkImport20k measures importing 20,000 records in batches of a
// thousand (one transaction each, as interchange.ImportJSON writes them),
// the search index folded in each.
func BenchmarkImport20k(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "import.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		z := benchZipf(r)
		at := time.Unix(1_600_000_000, 0)
		var batches []repertoire.Batch
		for u := range 20 {
			bt := repertoire.Batch{Import: "bench", Unit: fmt.Sprint(u)}
			for i := range 1000 {
				n := u*1000 + i
				bt.Records = append(bt.Records, repertoire.Record{
					Channel:  repertoire.Channel{Platform: "bench", Space: "s", ID: fmt.Sprint("c", n%50), Name: "general"},
					SourceID: fmt.Sprint("m", n), Kind: repertoire.Tip, Status: repertoire.Saved,
					Question: benchText(r, z, 12), Answer: benchText(r, z, 60),
					Author:    repertoire.Person{ID: "U1", Name: "one"},
					CreatedAt: at.Add(time.Duration(n) * time.Minute), UpdatedAt: at.Add(time.Duration(n) * time.Minute),
				})
			}
			batches = append(batches, bt)
		}
		b.StartTimer()
		for _, bt := range batches {
			if _, err := s.ImportBatch(ctx, bt); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
	}
}
