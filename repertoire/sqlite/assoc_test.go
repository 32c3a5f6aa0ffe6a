package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// What learning one saved pair costs the save (keys as the bot counts them).
func BenchmarkLearnAssociation(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	var q, a []string
	for i := range 8 {
		q = append(q, fmt.Sprintf("q%02d", i))
	}
	for i := range 16 {
		a = append(a, fmt.Sprintf("a%02d", i))
	}
	e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: repertoire.Channel{Platform: "shell", Space: "local", ID: "general"},
		SourceID: "m1", Kind: repertoire.Tip, Question: "q", Answer: "a", Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "U1"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		q[0] = fmt.Sprint("x", i%500)
		if err := s.LearnAssociation(ctx, e.ID, q, a); err != nil {
			b.Fatal(err)
		}
	}
}
