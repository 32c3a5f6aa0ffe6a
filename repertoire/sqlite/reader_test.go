package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// A store opened for a read-only command writes nothing in the background:
// stems due a top list get none from a reader's open and search, where the
// owner's open builds them (so the check is not blind).
func TestReaderBuildsNoTopLists(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "reader.db")
	s, err := Open(ctx, file, nil) // top lists from 4,096 postings: none here
	if err != nil {
		t.Fatal(err)
	}
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	for i := range 20 {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Answer: fmt.Sprintf("restart the worker pool %d", i), Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"},
			At: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Optimize(ctx); err != nil { // the postings merged
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tops := func() int {
		s, err := Open(ctx, file, nil, ForReading())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_top`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	r, err := Open(ctx, file, nil, ForReading(), withTopLists(4, 2)) // now due
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := r.Search(ctx, repertoire.SearchParams{Text: "restart the worker pool", Limit: 5}); err != nil || len(hits) != 5 {
		t.Fatalf("reader's search: %d hits (%v)", len(hits), err)
	}
	time.Sleep(100 * time.Millisecond) // what a background build would have had
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if n := tops(); n != 0 {
		t.Errorf("a reader's open built %d top lists", n)
	}
	w, err := Open(ctx, file, nil, withTopLists(4, 2))
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(10 * time.Second); tops() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("test is blind: the owner's open built no top list either")
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
