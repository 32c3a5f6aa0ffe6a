package repertoire

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text as recall's second stage sees it: lower case,
// diacritics folded, with its byte span in the original text (for
// snippets). Its stem is computed only when it could match (stemmer).
type Token struct {
	Raw        string // lower case, folded
	start, end int
}

// Stemmer stems words once per search: a repertoire's words repeat, and
// stemming every token of every candidate would be most of recall's time.
// Porter never changes a word's first letter, so words whose first letter
// no query word shares are not stemmed at all.
type Stemmer struct {
	memo  map[string]string
	first [256]bool
}

func NewStemmer(words []string) *Stemmer {
	st := &Stemmer{memo: map[string]string{}}
	for _, w := range words {
		if w != "" {
			st.first[w[0]] = true
		}
	}
	return st
}

// Of returns the stem of a token, or "" when no query word can match it.
func (st *Stemmer) Of(raw string) string {
	if raw == "" || !st.first[raw[0]] {
		return ""
	}
	s, ok := st.memo[raw]
	if !ok {
		s = Stem(raw)
		st.memo[raw] = s
	}
	return s
}

// Tokenize splits text the way the FTS5 index does (unicode61: letters and
// digits are word characters, everything else separates; lower case;
// diacritics removed); each word is stemmed with the Porter algorithm, as the
// index's porter tokenizer does (see stemmer). The second stage of recall scores candidates
// with these tokens, so the two agree on what a word is.
func Tokenize(text string) []Token {
	// Room for a token per three bytes of text (a word and a space take
	// at least two): one allocation, not one per doubling of the slice.
	out := make([]Token, 0, len(text)/3+1)
	start := -1
	for i := 0; i <= len(text); {
		var word bool
		size := 1
		if i < len(text) {
			if b := text[i]; b < utf8.RuneSelf {
				// ASCII: a letter or digit is a word's (as unicode's
				// classes say), nothing else is, marks included.
				word = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
			} else {
				var r rune
				r, size = utf8.DecodeRuneInString(text[i:])
				word = unicode.IsLetter(r) || unicode.IsNumber(r) || (start >= 0 && unicode.Is(unicode.Mn, r))
			}
		}
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			raw := foldWord(text[start:i])
			if raw != "" {
				out = append(out, Token{Raw: raw, start: start, end: i})
			}
			start = -1
		}
		i += size
	}
	return out
}

// foldWord lower-cases a word and strips the diacritics of Latin letters
// (é → e, ß stays), as unicode61's remove_diacritics does for the common cases.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var sb strings.Builder
	for _, r := range strings.ToLower(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := foldTable[r]; ok {
			r = f
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

var foldTable = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ", 'h': "ĥħ",
		'i': "ìíîïĩīĭįı", 'j': "ĵ", 'k': "ķ", 'l': "ĺļľŀł", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő",
		'r': "ŕŗř", 's': "śŝşš", 't': "ţťŧ", 'u': "ùúûüũūŭůűų", 'w': "ŵ", 'y': "ýÿŷ", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// stem reduces an English word to its Porter stem (M. F. Porter, "An
// algorithm for suffix stripping", 1980), so "rotating", "rotated" and
// "rotates" meet. Words that are not plain ASCII letters, or shorter than
// three letters, are kept as they are, like FTS5's porter tokenizer does.
// IsStem reports whether a lower-case word is its own Porter stem (so
// every engine with a Porter stemmer indexes it as written).
func IsStem(w string) bool { return Stem(w) == w }

func Stem(w string) string {
	if len(w) < 3 || len(w) > 64 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	b := []byte(w)
	b = step1a(b)
	b = step1b(b)
	b = step1c(b)
	b = step2(b)
	b = step3(b)
	b = step4(b)
	b = step5(b)
	return string(b)
}

// consonant reports whether b[i] is a consonant in Porter's sense: not a
// vowel, and y only after a vowel (or at the start).
func consonant(b []byte, i int) bool {
	switch b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !consonant(b, i-1)
	}
	return true
}

// measure is Porter's m: the number of vowel-consonant sequences in b.
func measure(b []byte) int {
	m, i, n := 0, 0, len(b)
	for i < n && consonant(b, i) {
		i++
	}
	for i < n {
		for i < n && !consonant(b, i) {
			i++
		}
		if i == n {
			break
		}
		for i < n && consonant(b, i) {
			i++
		}
		m++
	}
	return m
}

func hasVowel(b []byte) bool {
	for i := range b {
		if !consonant(b, i) {
			return true
		}
	}
	return false
}

// doubleConsonant: b ends with two equal consonants.
func doubleConsonant(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-1] == b[n-2] && consonant(b, n-1)
}

// cvc: b ends consonant-vowel-consonant, the last not w, x or y.
func cvc(b []byte) bool {
	n := len(b)
	if n < 3 || !consonant(b, n-1) || consonant(b, n-2) || !consonant(b, n-3) {
		return false
	}
	c := b[n-1]
	return c != 'w' && c != 'x' && c != 'y'
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// replace swaps suffix for repl when the stem before suffix has measure > m.
// It reports whether suffix was there (replaced or not).
func replace(b *[]byte, suffix, repl string, m int) bool {
	if !hasSuffix(*b, suffix) {
		return false
	}
	base := (*b)[:len(*b)-len(suffix)]
	if measure(base) > m {
		*b = append(base[:len(base):len(base)], repl...)
	}
	return true
}

func step1a(b []byte) []byte {
	switch {
	case hasSuffix(b, "sses"), hasSuffix(b, "ies"):
		return b[:len(b)-2]
	case hasSuffix(b, "ss"):
		return b
	case hasSuffix(b, "s"):
		return b[:len(b)-1]
	}
	return b
}

func step1b(b []byte) []byte {
	if hasSuffix(b, "eed") {
		if measure(b[:len(b)-3]) > 0 {
			return b[:len(b)-1]
		}
		return b
	}
	var base []byte
	switch {
	case hasSuffix(b, "ed") && hasVowel(b[:len(b)-2]):
		base = b[:len(b)-2]
	case hasSuffix(b, "ing") && hasVowel(b[:len(b)-3]):
		base = b[:len(b)-3]
	default:
		return b
	}
	base = base[:len(base):len(base)]
	switch {
	case hasSuffix(base, "at"), hasSuffix(base, "bl"), hasSuffix(base, "iz"):
		return append(base, 'e')
	case doubleConsonant(base):
		if c := base[len(base)-1]; c != 'l' && c != 's' && c != 'z' {
			return base[:len(base)-1]
		}
	case measure(base) == 1 && cvc(base):
		return append(base, 'e')
	}
	return base
}

func step1c(b []byte) []byte {
	if hasSuffix(b, "y") && hasVowel(b[:len(b)-1]) {
		b[len(b)-1] = 'i'
	}
	return b
}

var step2Rules = [][2]string{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"},
	{"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"},
	{"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"},
	{"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"},
	{"logi", "log"},
}

func step2(b []byte) []byte {
	for _, r := range step2Rules {
		if replace(&b, r[0], r[1], 0) {
			break
		}
	}
	return b
}

var step3Rules = [][2]string{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

func step3(b []byte) []byte {
	for _, r := range step3Rules {
		if replace(&b, r[0], r[1], 0) {
			break
		}
	}
	return b
}

var step4Suffixes = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
	"ism", "ate", "iti", "ous", "ive", "ize",
}

func step4(b []byte) []byte {
	for _, s := range step4Suffixes {
		if !hasSuffix(b, s) {
			continue
		}
		base := b[:len(b)-len(s)]
		if s == "ion" && (len(base) == 0 || (base[len(base)-1] != 's' && base[len(base)-1] != 't')) {
			continue // "ion" goes only after s or t; a longer suffix may still apply
		}
		if measure(base) > 1 {
			return base
		}
		return b
	}
	return b
}

func step5(b []byte) []byte {
	if hasSuffix(b, "e") {
		base := b[:len(b)-1]
		if m := measure(base); m > 1 || (m == 1 && !cvc(base)) {
			b = base
		}
	}
	if len(b) > 1 && b[len(b)-1] == 'l' && doubleConsonant(b) && measure(b) > 1 {
		b = b[:len(b)-1]
	}
	return b
}
