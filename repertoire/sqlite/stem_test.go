package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// The index totals recall ranks with follow the entries: count and summed
// field lengths as tokenize counts them.
func TestIndexTotals(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, a := range []string{"one two three", "four five", "six"} {
		_, _, err := s.Save(ctx, repertoire.SaveParams{Channel: repertoire.Channel{Platform: "p", ID: "c"}, SourceID: string(rune('a' + i)),
			Kind: repertoire.Tip, Question: "q w", Answer: a, Author: repertoire.Person{ID: "u"}, Tags: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := loadIndexStats(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	if st.n != 3 || st.avg() != [3]float64{2, 2, 1} {
		t.Errorf("totals: n %v avg %v, want 3 [2 2 1]", st.n, st.avg())
	}
}
