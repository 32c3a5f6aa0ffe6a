package repertoire

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is what a member asked, parsed. Natural text becomes terms; a small
// optional syntax narrows it:
//
//	"exact phrase"  the words in this order (stop words kept); when no entry
//	                has them so, the phrase counts as its words (chat text
//	                quotes code and other people without meaning a filter)
//	-word           no entry containing word
//	tag:tls         entries tagged tls (#tls works too)
//	kind:solution   entries of that kind (tip, solution, story, how-we-do)
//	from:@ana       entries credited to that member (name or ID)
//	in:#ops         entries saved in that channel (name or ID)
//
// Syntax used wrongly is read as words or ignored, never an error: an
// unknown kind, an empty filter, an unbalanced quote, a lone "-".
type Query struct {
	Terms   []string   // words to rank by, lower case, stop words dropped, deduplicated
	Phrases [][]string // each a required word sequence
	Not     []string   // words an entry must not contain
	Tags    []string
	Kinds   []Kind
	From    []string
	In      []string
	HowTo   bool // a how-to question: solutions first
}

// Empty reports whether the query asks for nothing at all.
func (q Query) Empty() bool {
	return len(q.Terms) == 0 && len(q.Phrases) == 0 && len(q.Tags) == 0 && len(q.Kinds) == 0 &&
		len(q.From) == 0 && len(q.In) == 0
}

// maxPhrases bounds the work of the syntax as maxQueryTerms bounds the
// words. A quoted span longer than maxPhraseWords is a quotation (chat
// quotes other messages), read as words rather than as a phrase filter.
const (
	maxPhrases     = 4
	maxPhraseWords = 8
	maxFilters     = 8
)

var howToQuestion = regexp.MustCompile(`(?i)\bhow\b|\bway to\b|\bfix(es|ed|ing)?\b|\bsolve\b|\bresolve\b|\berror\b|\bfail(s|ed|ing|ure)?\b|\bbroken\b|\bcan'?t\b|\bunable\b`)

// ParseQuery reads member text. It never fails: whatever the bytes, the
// result holds only words made of letters and digits and filter values that
// are matched as plain SQL parameters.
func ParseQuery(text string) Query {
	text = CleanText(text)
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes]
	}
	var q Query
	q.HowTo = howToQuestion.MatchString(text)
	var plain strings.Builder
	seen := map[string]bool{}
	addTerm := func(w string) {
		if stopWords[w] || seen[w] || len(w) > 64 || len(q.Terms) >= maxQueryWords {
			return
		}
		seen[w] = true
		q.Terms = append(q.Terms, w)
	}
	rest := text
	for len(rest) > 0 {
		// Phrases first: a quote opens one up to the next quote or the end.
		if i := strings.IndexAny(rest, "\"“”"); i >= 0 {
			plain.WriteString(rest[:i])
			plain.WriteByte(' ')
			_, size := firstRune(rest[i:])
			after := rest[i+size:]
			j := strings.IndexAny(after, "\"“”")
			var inner string
			if j < 0 {
				inner, rest = after, ""
			} else {
				_, s2 := firstRune(after[j:])
				inner, rest = after[:j], after[j+s2:]
			}
			words := words(inner)
			switch {
			case len(words) >= 2 && len(words) <= maxPhraseWords && len(q.Phrases) < maxPhrases:
				q.Phrases = append(q.Phrases, words)
				for _, w := range words {
					addTerm(w)
				}
			default: // "word", "", a quotation or too many phrases: plain words
				plain.WriteString(inner)
				plain.WriteByte(' ')
			}
			continue
		}
		plain.WriteString(rest)
		rest = ""
	}
	for _, f := range strings.Fields(plain.String()) {
		if q.filter(f) {
			continue
		}
		if w, ok := negation(f); ok {
			if len(q.Not) < maxFilters && !stopWords[w] {
				q.Not = append(q.Not, w)
			}
			continue
		}
		if strings.HasPrefix(f, "#") {
			if t := NormTag(f); t != "" && len(q.Tags) < maxFilters {
				// A hashtag is a wish, not a filter: it ranks, as a tag word.
				for _, w := range words(t) {
					addTerm(w)
				}
				continue
			}
		}
		for _, w := range words(f) {
			addTerm(w)
		}
	}
	return q
}

// negation reads "-word": a dash, then two or more letters and nothing
// else, so command-line flags ("--save-dev", "-v") and numbers ("-1") in a
// pasted question stay words.
func negation(f string) (string, bool) {
	if len(f) < 3 || f[0] != '-' {
		return "", false
	}
	for _, r := range f[1:] {
		if !unicode.IsLetter(r) {
			return "", false
		}
	}
	return foldWord(f[1:]), true
}

// filter applies one field:value token, reporting whether it was one.
func (q *Query) filter(f string) bool {
	key, val, ok := strings.Cut(f, ":")
	if !ok {
		return false
	}
	key = strings.ToLower(key)
	switch key {
	case "tag", "tags", "kind", "from", "by", "in", "channel":
	default:
		return false
	}
	if len(q.Tags)+len(q.Kinds)+len(q.From)+len(q.In) >= maxFilters {
		return true
	}
	switch key {
	case "tag", "tags":
		if t := NormTag(val); t != "" {
			q.Tags = append(q.Tags, t)
			return true
		}
	case "kind":
		if k, ok := parseKind(val); ok {
			q.Kinds = append(q.Kinds, k)
			return true
		}
	case "from", "by":
		if v := normRef(val, "@"); v != "" {
			q.From = append(q.From, v)
			return true
		}
	case "in", "channel":
		if v := normRef(val, "#"); v != "" {
			q.In = append(q.In, v)
			return true
		}
	}
	return false // "tag:" with nothing after, "kind:banana": read as words
}

// parseKind accepts a kind by name, plural or without its hyphen.
func parseKind(s string) (Kind, bool) {
	s = strings.ToLower(strings.Trim(s, ".,;!?"))
	switch s {
	case "tip", "tips":
		return Tip, true
	case "solution", "solutions", "fix", "fixes":
		return Solution, true
	case "story", "stories":
		return Story, true
	case "how-we-do", "howwedo", "how-we-do-it", "practice", "practices":
		return HowWeDo, true
	}
	return "", false
}

// NormTag reads a tag as Save stores it: lower case, no '#'.
func NormTag(s string) string {
	t := strings.Trim(s, ".,;!?")
	t = strings.ToLower(strings.TrimLeft(t, "#"))
	if t == "" || len(t) > 64 || strings.ContainsAny(t, " \t") {
		return ""
	}
	return t
}

// normRef reads a member or channel as typed: "@ana", "ana", Slack's
// "<@U123>" or "<#C123|ops>", Discord's "<@!123>" or "<#123>".
func normRef(s, sigil string) string {
	s = strings.Trim(s, ".,;!?")
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		s, _, _ = strings.Cut(s, "|")
		s = strings.TrimLeft(s, "@#!&")
	}
	s = strings.TrimPrefix(s, sigil)
	if len(s) > 80 {
		return ""
	}
	return s
}

// words splits text into lower-case words of letters and digits, diacritics
// folded, stop words kept.
func words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if w = foldWord(w); w != "" && len(w) <= 64 {
			out = append(out, w)
		}
	}
	return out
}

func firstRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
