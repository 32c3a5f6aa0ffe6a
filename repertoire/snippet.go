package repertoire

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
)

// Span is a range of a text, in bytes: Text[Start:End]. The store marks
// matches with spans, never with markup; each chat platform shows them its
// own way.
type Span struct {
	Start, End int
}

// snippetWords is the length of a snippet window.
const snippetWords = 24

// Snippet is the window of text (answer) with the most distinct query words,
// trimmed with … where cut, and the spans of the matched words in it.
func Snippet(text string, toks []Token, terms []*QueryTerm, st *Stemmer) (string, []Span) {
	if len(toks) == 0 {
		return "", nil
	}
	hit := snippetHits(toks, terms, st)
	best, bestN := 0, -1
	for start := 0; start < len(toks); start++ {
		if n := distinctHits(hit[start:min(start+snippetWords, len(toks))]); n > bestN {
			best, bestN = start, n
		}
		if start+snippetWords >= len(toks) {
			break
		}
	}
	// Start a little before the first match so it reads as a sentence,
	// but no later than a full window before the end: a text that fits
	// is quoted whole, not from its fifth word before the match.
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

// snippetHits gives each token the index+1 of the first term it matches
// (0 for none): as t.Matches(st, tok) for each term, the token stemmed once.
func snippetHits(toks []Token, terms []*QueryTerm, st *Stemmer) []int {
	hit := make([]int, len(toks))
	if len(terms) == 0 {
		return hit
	}
	for i, tok := range toks {
		s := st.Of(tok.Raw)
		if s == "" {
			continue
		}
		for ti, t := range terms {
			if slices.Contains(t.Stems, s) {
				hit[i] = ti + 1
				break
			}
		}
	}
	return hit
}

// distinctHits counts the distinct terms hit names (index+1, 0 for none).
func distinctHits(hit []int) int {
	var mask uint64
	var more map[int]bool // terms past the 64th
	for _, h := range hit {
		switch {
		case h == 0:
		case h <= 64:
			mask |= 1 << (h - 1)
		default:
			if more == nil {
				more = map[int]bool{}
			}
			more[h] = true
		}
	}
	return bits.OnesCount64(mask) + len(more)
}
