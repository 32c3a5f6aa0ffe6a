package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestBulkCreateWritesWhatOneByOneWrites imports the same batch into two
// stores, one writing a new entry per statement (as ImportBatch did) and
// one writing bulkRows per statement, and compares every table an import
// writes, the full-text matches and the search index: they must be the
// same row for row, ids included. The batch crosses a statement's size,
// names a source twice (the second merges into the first), updates
// entries saved live before, and has an entry with more savers than one
// statement takes and voters who also save.
func TestBulkCreateWritesWhatOneByOneWrites(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	person := func(i int) repertoire.Endorsement {
		return repertoire.Endorsement{Person: repertoire.Person{ID: fmt.Sprint("U", i), Name: fmt.Sprint("member", i)}, At: at.Add(time.Duration(i) * time.Second)}
	}
	r := rand.New(rand.NewPCG(13, 13))
	var records []repertoire.Record
	for i := range 1300 {
		rec := repertoire.Record{Channel: exactChannels[i%len(exactChannels)], SourceID: fmt.Sprint("m", i),
			Kind: exactKinds[i%len(exactKinds)], Status: repertoire.Saved, Question: randomText(r, r.IntN(8)),
			Answer: randomText(r, 1+r.IntN(30)), Author: repertoire.Person{ID: fmt.Sprint("A", i%7), Name: "author"},
			Tags: []string{exactWords[r.IntN(5)]}, CreatedAt: at.Add(time.Duration(i) * time.Minute)}
		if i%9 == 0 {
			rec.Status = repertoire.Detected
		} else {
			rec.Savers = []repertoire.Endorsement{person(i % 40)}
		}
		for v := range r.IntN(3) {
			rec.Voters = append(rec.Voters, person((i+v*7)%40)) // sometimes the saver again
		}
		if i == 5 {
			for s := range 2*bulkEndorsements + 50 {
				rec.Savers = append(rec.Savers, person(100+s))
			}
		}
		records = append(records, rec)
	}
	for _, i := range []int{100, 900, 1299} { // the same sources again, later in the batch
		again := records[i]
		again.Answer, again.Voters = randomText(r, 12), []repertoire.Endorsement{person(77)}
		records = append(records, again)
	}
	open := func(name string) *Store {
		s, err := Open(ctx, filepath.Join(t.TempDir(), name), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		for i := 0; i < 1300; i += 97 { // saved live before the import
			rec := records[i]
			if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: rec.Channel, SourceID: rec.SourceID, Kind: rec.Kind,
				Answer: "an older text", Author: rec.Author, Saver: repertoire.Person{ID: "L1", Name: "live"}, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	one, bulk := open("one.db"), open("bulk.db")
	batch := repertoire.Batch{Import: "imp", Unit: "u", Records: records}
	resOne, err := one.importBatch(ctx, batch, 1)
	if err != nil {
		t.Fatal(err)
	}
	resBulk, err := bulk.importBatch(ctx, batch, bulkRows)
	if err != nil {
		t.Fatal(err)
	}
	if resOne != resBulk || resBulk.Created != 1300-14 || resBulk.Updated != 14+3 {
		t.Errorf("one by one %+v, in bulk %+v; want 1,286 created and 17 updated in both", resOne, resBulk)
	}
	dump := func(s *Store, table string) []string {
		rows, err := s.w.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%q", vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		return out
	}
	for _, table := range []string{"entries", "savers", "votes", "import_units", "entry_kind_counts", "entry_counts",
		"entry_tags", "tag_counts", "search_terms", "search_postings", "search_stats", "search_pending", "search_dirty"} {
		a, b := dump(one, table), dump(bulk, table)
		if table == "import_units" {
			a, b = a[:0], b[:0] // finished_at differs
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %d rows one by one, %d in bulk, or rows differ", table, len(a), len(b))
		}
		if table == "entries" && len(a) != 1300 {
			t.Errorf("%d entries, want 1,300", len(a))
		}
	}
	for _, w := range append(exactWords, "older") {
		match := func(s *Store) []int64 {
			rows, err := s.w.QueryContext(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid`, `"`+w+`"`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			return ids
		}
		if a, b := match(one), match(bulk); !reflect.DeepEqual(a, b) {
			t.Errorf("full text %q: %d matches one by one, %d in bulk", w, len(a), len(b))
		}
	}
	for _, s := range []*Store{one, bulk} {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')`); err != nil {
			t.Errorf("full-text index: %v", err)
		}
		checkIndex(t, s)
	}
	// The same records again create nothing and leave every row as it
	// was (the sources named twice are written twice, as the first time).
	before := map[string][]string{}
	for _, table := range []string{"entries", "savers", "votes", "entry_counts"} {
		before[table] = dump(bulk, table)
	}
	batch.Unit = "again"
	if res, err := bulk.ImportBatch(ctx, batch); err != nil || res.Created != 0 {
		t.Errorf("the batch again: %+v %v; want nothing created", res, err)
	}
	for table, rows := range before {
		if !reflect.DeepEqual(rows, dump(bulk, table)) {
			t.Errorf("the batch again changed %s", table)
		}
	}
}
