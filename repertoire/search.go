package repertoire

import (
	"strings"
	"unicode"
)

// SearchParams is a recall request.
type SearchParams struct {
	Text string  // what the member typed; never reaches MATCH raw
	From Channel // the channel asking: its own space's public entries and its private ones are visible
	// Spaces are more spaces of From.Platform whose public entries the asker
	// may see: for a DM outside any server, the servers the member shares
	// with the bot, as the adapter checked.
	Spaces []string
	Limit  int // 3 when zero, at most 50
	// Audience, when set, replaces From and Spaces: what a member may see
	// outside any channel (the web page).
	Audience *Audience
}

// Hit is an entry found by Search with the part of its text that matched.
type Hit struct {
	Entry
	// Snippet is a window of the answer around the matched words, plain
	// text (no markup: the adapters decide how a match looks), and
	// Highlights are the matched words in it.
	Snippet    string
	Highlights []Span
	// Score ranks hits: higher is better. It is BM25F over question, answer
	// and tags with proximity, times the entry's votes, feedback and kind.
	Score float64
	// Coverage is the share (0–1) of the question's informative weight (idf)
	// that the entry matches; QuestionCoverage counts its question and tags
	// only. Nudges use them to speak only when confident.
	Coverage         float64
	QuestionCoverage float64
	MatchedWords     int // how many of the question's words the entry holds
}

// maxQueryTerms bounds the work one recall can cause, whatever is typed:
// of at most maxQueryWords words read from a long question, the
// maxQueryTerms rarest the index knows are ranked by (informative.go).
const (
	MaxQueryTerms = 24
	maxQueryWords = 64
)

// QueryTerm is one query word with what the index says about it.
type QueryTerm struct {
	Word       string
	Stems      []string // the indexed stems it matches: its own, or as a prefix those starting with its stem
	Prefix     bool     // the word is unknown: matched as the start of longer words
	DocFreq    float64
	IDF        float64
	UpperBound float64 // per entry, the largest saturated weight times prior (without kind) at the bound averages
	MaxPrior   float64 // the largest prior (without kind) of an entry holding it
}

func (t *QueryTerm) Matches(st *Stemmer, tok Token) bool {
	s := st.Of(tok.Raw)
	if s == "" {
		return false
	}
	for _, x := range t.Stems {
		if x == s {
			return true
		}
	}
	return false
}

// Terms splits text into the lower-case words a search looks for: letters and
// digits only, stop words dropped, duplicates once, at most maxQueryTerms.
// Whatever the text holds (FTS5 operators, quotes, invalid UTF-8), only words
// come out.
func Terms(text string) []string {
	text = CleanText(text)
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if stopWords[w] || seen[w] || len(w) > 64 {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == MaxQueryTerms {
			break
		}
	}
	return out
}

// MatchExpression turns member text into a safe FTS5 query: each word quoted
// as a string (so no operator, column filter or prefix can be injected) and
// the words joined with OR. Empty when no word is left. It is the plain
// bm25 baseline recall-bench compares Search with.
func MatchExpression(text string) string {
	terms := Terms(text)
	for i, t := range terms {
		terms[i] = `"` + t + `"`
	}
	return strings.Join(terms, " OR ")
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about after again all also am an and any are as at be because been
		before being but by can could did do does doing done for from get got had has have having he her here
		him his how i if in into is it its just let me my no nor not of off on once only or other our out
		over own please same she should so some such than that the their them then there these they this
		those to too under until up very was we were what when where which while who whom why will with
		would you your yours anyone anybody someone know tell way need want thanks hi hello hey`) {
		m[w] = true
	}
	return m
}()
