package repertoire

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// snippetByTerm is Snippet as first written: each token matched against
// each term in turn, each window's distinct terms counted in a map. The
// faster Snippet must choose the same window and spans.
func snippetByTerm(text string, toks []Token, terms []*QueryTerm, st *Stemmer) (string, []Span) {
	if len(toks) == 0 {
		return "", nil
	}
	hit := make([]int, len(toks))
	for i, tok := range toks {
		for ti, t := range terms {
			if t.Matches(st, tok) {
				hit[i] = ti + 1
				break
			}
		}
	}
	best, bestN := 0, -1
	for start := 0; start < len(toks); start++ {
		seen := map[int]bool{}
		for i := start; i < min(start+snippetWords, len(toks)); i++ {
			if hit[i] > 0 {
				seen[hit[i]] = true
			}
		}
		if len(seen) > bestN {
			best, bestN = start, len(seen)
		}
		if start+snippetWords >= len(toks) {
			break
		}
	}
	for i := best; i < min(best+snippetWords, len(toks)); i++ {
		if hit[i] > 0 {
			best = max(best, min(i-4, len(toks)-snippetWords))
			break
		}
	}
	end := min(best+snippetWords, len(toks))
	var (
		sb    strings.Builder
		spans []Span
	)
	if best > 0 {
		sb.WriteString("…")
	}
	at := toks[best].start
	for i := best; i < end; i++ {
		sb.WriteString(text[at:toks[i].start])
		if hit[i] > 0 {
			spans = append(spans, Span{Start: sb.Len(), End: sb.Len() + toks[i].end - toks[i].start})
		}
		sb.WriteString(text[toks[i].start:toks[i].end])
		at = toks[i].end
	}
	if end < len(toks) {
		sb.WriteString("…")
	} else {
		sb.WriteString(strings.TrimRightFunc(text[at:], unicode.IsSpace))
	}
	return sb.String(), spans
}

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
		gs, gh := Snippet(text, toks, terms, st)
		ws, wh := snippetByTerm(text, toks, terms, NewStemmer(first))
		if gs != ws || !reflect.DeepEqual(gh, wh) {
			t.Fatalf("case %d, %q, %d terms:\n got %q %v\nwant %q %v", n, text, len(terms), gs, gh, ws, wh)
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
