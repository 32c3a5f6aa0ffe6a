package bot

import (
	"math"
	"strings"
	"testing"
)

// lineCosine is the obvious rule (weigh the line's counts, take the
// cosine) without the line's vector.
func TestLineCosineIsTheObviousRule(t *testing.T) {
	idf := map[string]float64{"renew": 2, "certi": 1.5, "tls": 3, "the": 0.1, "coffe": 2.5}
	qv := weigh(map[string]int{"renew": 1, "tls": 2, "certi": 1}, idf)
	counts := map[string]int{"stale": 9}
	for _, line := range [][]string{
		{"renew", "the", "tls", "tls", "certi"},
		{"coffe", "the"},
		{"tls"},
		{},
		strings.Fields(strings.Repeat("renew the coffe tls ", 10)), // long: counted in the map
	} {
		want := wcosine(qv, weigh(countWords(line), idf))
		if got := lineCosine(qv, line, idf, counts); math.Abs(got-want) > 1e-12 {
			t.Errorf("%v: %v, want %v", line, got, want)
		}
	}
	if got := lineCosine(wvec{}, []string{"tls"}, idf, counts); got != 0 {
		t.Errorf("an empty question: %v", got)
	}
}
