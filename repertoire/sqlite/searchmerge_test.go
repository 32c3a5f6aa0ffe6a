package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// A member's saves wait in search_pending until enough have gathered; the
// background merge then moves them into the chunks, and recall returns
// the exhaustive ranking's top k before and after.
func TestPendingPostingsMergeInBackground(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.mergeAt = 1 << 30 // not yet
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 40 {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[0], SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Question: randomText(r, 6), Answer: randomText(r, 20), Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := loadIndexStats(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	if st.pending == 0 {
		t.Fatal("saves wrote no pending postings")
	}
	checkIndex(t, s)
	queries := []string{"deploy cache", "restart the worker node", "kube", "nginx -proxy", `"build cache"`}
	for _, q := range queries {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: exactChannels[0], Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.SearchExhaustive(ctx, repertoire.SearchParams{Text: q, From: exactChannels[0], Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(hitKeys(hits), hitKeys(want)) {
			t.Errorf("%q pending: %v, exhaustive %v", q, hitKeys(hits), hitKeys(want))
		}
	}
	// The next save passes the threshold and wakes the merge.
	s.mergeAt = int(st.pending)
	if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[3], SourceID: "last", Kind: repertoire.Tip,
		Question: "unrelated", Answer: "words", Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := loadIndexStats(ctx, s.r)
		if err != nil {
			t.Fatal(err)
		}
		if st.pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d postings still pending", st.pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkIndex(t, s)
	for _, q := range queries {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: exactChannels[0], Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.SearchExhaustive(ctx, repertoire.SearchParams{Text: q, From: exactChannels[0], Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(hitKeys(hits), hitKeys(want)) {
			t.Errorf("%q merged: %v, exhaustive %v", q, hitKeys(hits), hitKeys(want))
		}
	}
}
