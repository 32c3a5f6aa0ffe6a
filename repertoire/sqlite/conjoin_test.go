package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestLeapOverRequiredWords: queries of three or four of the commonest
// words, where after the seed a long list is walked and every word is
// required, so that the walk leaps over the entries lacking one of them or
// bounded below the k-th score by their skip bytes (conjoin.go), return
// the exhaustive ranking's top k. Some entries wait in pending postings (a
// long list of two cursors), some queries hold a prefix (a term of many
// stems, never leapt with) or an excluded word.
func TestLeapOverRequiredWords(t *testing.T) {
	ctx := context.Background()
	s, vocab, r := zipfStore(ctx, t, "leap")
	s.mergeAt = 0 // the saves below stay pending
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		w := make([]string, 12+r.IntN(30))
		for j := range w {
			w[j] = vocab[r.IntN(8)]
		}
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: repertoire.Channel{Platform: "p", Space: "s", ID: "c1"},
			SourceID: fmt.Sprint("p", i), Kind: repertoire.Tip, Question: strings.Join(w[:4], " "), Answer: strings.Join(w[4:], " "),
			Author: repertoire.Person{ID: "U2"}, Saver: repertoire.Person{ID: "S"}, At: at.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	askers := []repertoire.Channel{
		{Platform: "p", Space: "s", ID: "c3", Private: true}, // sees every entry
		{Platform: "p", Space: "s", ID: "c1"},                // not the private ones
	}
	for i := range 90 {
		words := make([]string, 3+r.IntN(2))
		for j := range words {
			words[j] = vocab[r.IntN(8)]
		}
		switch i % 9 {
		case 3:
			words[0] = words[0][:2] + "*" // a prefix
		case 6:
			words = append(words, "-"+vocab[8+r.IntN(8)])
		}
		p := repertoire.SearchParams{Text: strings.Join(words, " "), From: askers[i%2], Limit: 1 + r.IntN(10)}
		if i%5 == 0 {
			p.Text = "how do I " + p.Text
		}
		checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
	}
}
