package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// DocFrequencies reads the search index's counts: they must be the entries
// whose text holds the word, while the postings wait in search_pending and
// once the merge has moved them into the chunks.
func TestDocFrequenciesFromTheIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "df.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.mergeAt = 1 << 30 // not yet
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 30 {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[i%2], SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Question: randomText(r, 6), Answer: randomText(r, 20), Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}}); err != nil {
			t.Fatal(err)
		}
	}
	words := []string{"deploy", "caches", "restarting", "worker", "nginx", "kube", "proxy", "absentword"}
	check := func(when string) {
		t.Helper()
		want := map[string]int{}
		rows, err := s.r.QueryContext(ctx, `SELECT question, answer, tags FROM entries`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var q, a, tags string
			if err := rows.Scan(&q, &a, &tags); err != nil {
				t.Fatal(err)
			}
			n++
			terms, _ := docTerms(q, a, tags)
			for _, w := range words {
				if _, ok := terms[repertoire.StemOf(w)]; ok {
					want[w]++
				}
			}
		}
		rows.Close()
		df, total, err := s.DocFrequencies(ctx, words)
		if err != nil {
			t.Fatal(err)
		}
		if total != n {
			t.Errorf("%s: total %d, want %d", when, total, n)
		}
		for _, w := range words {
			if df[w] != want[w] {
				t.Errorf("%s: df[%s] = %d, want %d", when, w, df[w], want[w])
			}
		}
	}
	st, err := loadIndexStats(ctx, s.r)
	if err != nil || st.pending == 0 {
		t.Fatalf("no pending postings (%v)", err)
	}
	check("pending")
	s.mergeAt = int(st.pending)
	if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[1], SourceID: "last", Kind: repertoire.Tip,
		Question: "deploy the proxy", Answer: "restart nginx", Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, err = loadIndexStats(ctx, s.r); err != nil {
			t.Fatal(err)
		}
		if st.pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d postings still pending", st.pending)
		}
	}
	check("merged")
	ch := exactChannels[1]
	if _, err := s.DeleteSource(ctx, "", repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: "last"}); err != nil {
		t.Fatal(err)
	}
	check("after a delete")
}
