package bot

import (
	"unicode"
	"unicode/utf8"
)

// appendWords appends text's content words to dst, in order, as the
// re-ranker and the answer model compare them: lower case, letters and
// digits, at least two bytes, not a stop word, cut to their first five
// letters. It reads the text once and allocates only the words kept
// (recall tokenises up to 50 candidates of hundreds of words per question,
// which was most of the re-ranker's cost).
func appendWords(dst []string, text string) []string {
	var buf [64]byte
	word := buf[:0]
	start, runes, cut := 0, 0, 0 // where the word starts in text; its letters; bytes of its first five
	same := true                 // the word is spelled in text as kept: slice text, allocate nothing
	flush := func() {
		if len(word) >= 2 && (len(word) > stopWordMax || !answerStopWords[string(word)]) {
			if runes <= 5 {
				cut = len(word)
			}
			if same {
				dst = append(dst, text[start:start+cut])
			} else {
				dst = append(dst, string(word[:cut]))
			}
		}
		word, runes, cut, same = word[:0], 0, 0, true
	}
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		at := i
		i += size
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
			same = false
		case r < utf8.RuneSelf:
			flush()
			continue
		default:
			lower := unicode.ToLower(r)
			if !unicode.IsLetter(lower) && !unicode.IsNumber(lower) {
				flush()
				continue
			}
			if lower != r {
				same = false
			}
			r = lower
		}
		if len(word) == 0 {
			start = at
		}
		word = utf8.AppendRune(word, r)
		runes++
		if runes == 5 {
			cut = len(word)
		}
	}
	flush()
	return dst
}

// countWords counts words.
func countWords(words []string) map[string]int {
	out := map[string]int{}
	for _, w := range words {
		out[w]++
	}
	return out
}

// stopWordMax is the longest stop word's length in bytes: a longer word
// need not be looked up.
var stopWordMax = func() int {
	n := 0
	for w := range answerStopWords {
		n = max(n, len(w))
	}
	return n
}()
