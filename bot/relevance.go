package bot

import (
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// Recall shows an entry only when it answers the question: the search ranks
// whatever shares a word with it, and a hit that shares only "run" with
// "why does webpack run out of memory" is filler that teaches members to
// ignore the bot. The gate below is deliberately plain and separate from the
// ranking: an entry must hold enough of the question's content words
// (ContentWords), each as the word itself or an inflection of it.

// Gate is what a hit must have to be shown.
type Gate struct {
	// Share is the share of the question's content words (ContentWords) the
	// entry must hold, each as the word or an inflection of it (at least one).
	Share float64
	// Coverage is the least share of the question's informative weight (the
	// search's idf-weighted Hit.Coverage) the entry must match.
	Coverage float64
	// Words is the least number of the question's content words the entry
	// must hold (fewer when the question has fewer).
	Words int
}

// DefaultGate is the gate recall applies: two of the question's content
// words (its only one, when it has one). Chosen by 5-fold cross-validation
// on the LiveChat known-item benchmark (cmd/recall-bench -filler): the
// least filler among gates that keep the right-entry rate within two points.
var DefaultGate = Gate{Words: 2}

// Relevant returns the hits that pass the gate, in their order. A question
// of filters only (tag:tls, kind:solution) keeps its hits: the filters chose
// them. A question with neither content words nor filters keeps none.
func Relevant(question string, hits []repertoire.Hit, g Gate) []repertoire.Hit {
	words := ContentWords(question)
	if len(words) == 0 {
		if hasFilter(question) {
			return hits
		}
		return nil
	}
	need := max(needed(len(words), g.Share), min(g.Words, len(words)))
	var out []repertoire.Hit
	for _, h := range hits {
		if h.Coverage < g.Coverage {
			continue
		}
		ws := newWordSet(h.Question, h.Answer, strings.Join(h.Tags, " "))
		n := 0
		for _, w := range words {
			if ws.has(w) {
				n++
			}
		}
		if n >= need {
			out = append(out, h)
		}
	}
	return out
}

// Phrases returns the quoted phrases of a question (two words or more),
// each as its words.
func Phrases(question string) [][]string {
	var out [][]string
	rest := question
	for {
		i := strings.IndexAny(rest, "\"“”")
		if i < 0 {
			return out
		}
		rest = rest[i+len(string([]rune(rest[i:])[0])):]
		j := strings.IndexAny(rest, "\"“”")
		if j < 0 {
			return out
		}
		if w := phraseWords(rest[:j]); len(w) >= 2 {
			out = append(out, w)
		}
		rest = rest[j+len(string([]rune(rest[j:])[0])):]
	}
}

func phraseWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(markup.ReplaceAllString(s, " ")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// HasPhrase reports whether the hit's text holds the phrase's words in
// order, next to each other (each word in some form).
func HasPhrase(h repertoire.Hit, phrase []string) bool {
	for _, text := range []string{h.Question, h.Answer} {
		toks := phraseWords(text)
		for i := 0; i+len(phrase) <= len(toks); i++ {
			ok := true
			for k, w := range phrase {
				if !(wordSet{}).add(toks[i+k]).has(w) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func (ws wordSet) add(w string) wordSet {
	for _, f := range forms(w) {
		ws[f] = true
	}
	return ws
}
