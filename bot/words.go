package bot

import (
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// The words of a question that carry its meaning decide three things: the
// terms an entry is tagged with, whether a recall hit answers the question
// (a hit that holds only "run" or "keeps" of "why does webpack run out of
// memory" does not), and whether an unanswered request is a real question
// worth listing as open. The search's stop words (repertoire.Terms drops
// them) and plainWords below are the one list of words that never count.

// plainWords are words too plain to tag with or to count as a match, beyond
// the search's stop words: verbs and nouns of any technical conversation.
var plainWords = setOf(`thanks thank worked works work working try tried trying use using used just like also still
	yes yeah yep nope okay sure maybe really think thing things something anything everything make made see seen
	look looks looking issue problem question answer help error errors getting run running runs ran does doesn don didn
	isn wasn aren won can cannot could would should will one two new now time way well much many more most
	keep keeps kept keeping go goes going went gone get gets put puts take takes set sets best good bad
	quick quickly fine ok own owns owned stuff lot lots still anyone everyone someone people guys folks all`)

// markup is platform syntax that is not words: Slack's <!channel>, <@U123>,
// <#C1|name> and <url|label>, Discord's <@123>, <#123>, <:emoji:123>, and links.
var markup = regexp.MustCompile(`<[!@#:][^>\s]*>|<https?://[^>\s]*>|https?://\S+|:[a-z0-9_+\-]+:`)

// filterToken is the search's filter syntax (tag:x, kind:x, from:@x, in:#x)
// and exclusions (-word): they narrow a search and are not what it is about.
var filterToken = regexp.MustCompile(`(?i)(^|\s)(?:tags?|kind|from|by|in|channel):\S*|(^|\s)-[\p{L}\p{N}]\S*`)

// ContentWords returns the words of text that carry its meaning, lower case,
// deduplicated, in order: no markup, no filter syntax, no stop words, no
// plain words, no single letters.
func ContentWords(text string) []string {
	text = markup.ReplaceAllString(text, " ")
	text = filterToken.ReplaceAllString(text, " ")
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if len([]rune(w)) < 2 || len(w) > 64 || seen[w] || plainWords[w] || len(repertoire.Terms(w)) == 0 {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// hasFilter reports whether text uses the search's filter syntax.
func hasFilter(text string) bool {
	return filterToken.MatchString(text)
}

// forms returns the word and the forms it may be an inflection of, so that
// "crashing", "crashes" and "crashed" meet "crash" and "memories" meets
// "memory", while "general" and "generic" (one Porter stem) stay apart: a
// match means the entry holds the word, not a word that shares its start.
func forms(w string) []string {
	out := []string{w}
	add := func(s string) {
		if len(s) >= 2 {
			out = append(out, s)
			// running → runn → run
			if n := len(s); n >= 3 && s[n-1] == s[n-2] && !strings.ContainsRune("aeiouls", rune(s[n-1])) {
				out = append(out, s[:n-1])
			}
		}
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		add(w[:len(w)-3] + "y")
	case strings.HasSuffix(w, "es") && len(w) > 3:
		add(w[:len(w)-2])
		add(w[:len(w)-1])
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		add(w[:len(w)-1])
	case strings.HasSuffix(w, "ied") && len(w) > 4:
		add(w[:len(w)-3] + "y")
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		add(w[:len(w)-2])
		add(w[:len(w)-1])
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		add(w[:len(w)-3])
		add(w[:len(w)-3] + "e")
	}
	return out
}

// wordSet holds the forms of every word of a text, for matching.
type wordSet map[string]bool

func newWordSet(texts ...string) wordSet {
	ws := wordSet{}
	for _, t := range texts {
		t = markup.ReplaceAllString(t, " ")
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r)
		}) {
			for _, f := range forms(w) {
				ws[f] = true
			}
		}
	}
	return ws
}

// has reports whether the set holds w in some form.
func (ws wordSet) has(w string) bool {
	for _, f := range forms(w) {
		if ws[f] {
			return true
		}
	}
	return false
}

// needed is how many of n content words an entry must hold at share.
func needed(n int, share float64) int {
	return max(1, int(math.Ceil(share*float64(n)-1e-9)))
}
