package repertoire

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Snippet as first written matched each token against each term in turn
// (t.Matches) and counted each window's distinct terms in a map; the
// faster one stems a token once and counts in a bit mask. Given the same
// marks and counts it chooses the same window and spans, so those are what
// this compares, on random texts and queries.
func TestSnippetSameAsByTerm(t *testing.T) {
	words := strings.Fields("deploy deploys deployed cache caching node nodes token Token. rotate kube kubernetes a the fix error é café")
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		w := make([]string, r.IntN(120))
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		text := strings.Join(w, " ")
		if r.IntN(3) == 0 {
			text += "  \n"
		}
		// Query terms: a few words, a prefix of several stems, and at
		// times more than 64 (hits past the 64th are counted apart).
		var terms []*QueryTerm
		var first []string
		nt := r.IntN(5)
		if r.IntN(20) == 0 {
			nt = 70
		}
		for i := range nt {
			qw := words[r.IntN(len(words))]
			qt := &QueryTerm{Word: qw, Stems: []string{Stem(qw)}}
			if i >= 5 {
				qt = &QueryTerm{Word: fmt.Sprint("x", i), Stems: []string{fmt.Sprint("x", i)}}
				if i == nt-1 {
					qt = &QueryTerm{Word: qw, Stems: []string{Stem(qw)}}
				}
			}
			if r.IntN(6) == 0 {
				qt.Stems, qt.Prefix = []string{Stem("deploy"), Stem("kube"), Stem("kubernetes")}, true
			}
			terms = append(terms, qt)
			first = append(first, qt.Word)
		}
		st := NewStemmer(first)
		toks := Tokenize(text)
		got := snippetHits(toks, terms, st)
		want := make([]int, len(toks))
		for i, tok := range toks {
			for ti, qt := range terms {
				if qt.Matches(st, tok) {
					want[i] = ti + 1
					break
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d, %q, %d terms:\n got marks %v\nwant %v", n, text, len(terms), got, want)
		}
		for start := range toks {
			w := want[start:min(start+snippetWords, len(toks))]
			seen := map[int]bool{}
			for _, h := range w {
				if h > 0 {
					seen[h] = true
				}
			}
			if g := distinctHits(w); g != len(seen) {
				t.Fatalf("case %d, window at %d: %d distinct terms, want %d", n, start, g, len(seen))
			}
		}
	}
}

// A text that fits in a window is quoted whole: a member saw "…logs
// --previous …" for "kubectl logs --previous", the window started four
// words before a match near its end. A longer text still starts a little
// before its first match, and keeps a full window.
func TestSnippetQuotesShortTextWhole(t *testing.T) {
	q := []*QueryTerm{{Word: "staged", Stems: []string{Stem("staged")}}}
	short := "git reset --soft HEAD~1 keeps your changes staged."
	if got, _ := Snippet(short, Tokenize(short), q, NewStemmer([]string{"staged"})); got != short {
		t.Errorf("short text: %q, want it whole", got)
	}
	long := strings.Repeat("word ", 40) + "then the changes stay staged " + strings.Repeat("more ", 40)
	got, spans := Snippet(long, Tokenize(long), q, NewStemmer([]string{"staged"}))
	if !strings.HasPrefix(got, "…then the changes stay staged") || len(spans) != 1 || len(strings.Fields(got)) != snippetWords {
		t.Errorf("long text: %q %v", got, spans)
	}
}
