package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/repertoire/repertoire/repertoire"
)

// afterTitle is h with its snippet cut of what its title already shows,
// when the title is its answer's first line (an entry saved without a
// question, or whose asker was forgotten): otherwise a recall answer shows
// those words twice, as the title and again quoted. n is how many runes of
// the title are shown (see oneLine). The snippet keeps its matches; it is
// empty when the title shows all of it, and starts with … when it takes up
// a line the title cut.
func afterTitle(h repertoire.Hit, n int) repertoire.Hit {
	if strings.TrimSpace(h.Question) != "" || h.Snippet == "" {
		return h
	}
	first, _, _ := strings.Cut(strings.TrimSpace(h.Answer), "\n")
	shown := oneLine(h.Title(), n)
	whole := shown == oneLine(first, utf8.RuneCountInString(first)+1)
	end, ok := squeezedPrefixEnd(h.Answer, strings.TrimSuffix(shown, "…"))
	if !ok {
		return h
	}
	if r, _ := utf8.DecodeRuneInString(h.Answer[end:]); !whole && end < len(h.Answer) && !unicode.IsSpace(r) {
		// The title cut a word: the snippet takes it up from its start.
		for end > 0 {
			prev, size := utf8.DecodeLastRuneInString(h.Answer[:end])
			if unicode.IsSpace(prev) {
				break
			}
			end -= size
		}
	}
	core := strings.TrimPrefix(h.Snippet, "…")
	lead := len(h.Snippet) - len(core)
	start := strings.Index(h.Answer, strings.TrimSuffix(core, "…"))
	if start < 0 || start >= end {
		return h // not found, or past what the title shows
	}
	drop := min(end-start, len(core))
	rest := strings.TrimLeftFunc(core[drop:], unicode.IsSpace)
	cut := lead + len(core) - len(rest) // bytes of the old snippet before rest
	rest = goOn(h.Answer, start, core, rest)
	if strings.TrimSpace(strings.TrimSuffix(rest, "…")) == "" {
		h.Snippet, h.Highlights = "", nil
		return h
	}
	prefix := ""
	if !whole {
		prefix = "…"
	}
	shift := len(prefix) - cut
	var hl []repertoire.Span
	for _, s := range h.Highlights {
		if s.Start >= cut {
			hl = append(hl, repertoire.Span{Start: s.Start + shift, End: s.End + shift})
		}
	}
	h.Snippet, h.Highlights = prefix+rest, hl
	return h
}

// squeezedPrefixEnd is the byte offset in text, after its leading space,
// where words ends, words being a prefix of text with each run of space
// squeezed to one ' ' (as oneLine does); ok is false when it is not.
func squeezedPrefixEnd(text, words string) (end int, ok bool) {
	i := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	for _, w := range words {
		if i >= len(text) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case w == ' ' && unicode.IsSpace(r):
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				if !unicode.IsSpace(r) {
					break
				}
				i += size
			}
		case w == r:
			i += size
		default:
			return 0, false
		}
	}
	return i, true
}

// goOn lengthens what the title left of a snippet cut short at its end
// (core, found at start of answer): when the title took most of the
// window, the quote would be a few words, so it goes on with the answer's
// text after it, as long as the window was, to the end of a word. rest is
// what the title left; it stays as it is, a prefix of the result.
func goOn(answer string, start int, core, rest string) string {
	body, restBody := strings.TrimSuffix(core, "…"), strings.TrimSuffix(rest, "…")
	if body == core || 2*len(restBody) >= len(body) || !strings.HasSuffix(answer[:start+len(body)], restBody) ||
		strings.TrimSpace(answer[start+len(body):]) == "" {
		return rest
	}
	from := start + len(body) - len(restBody)
	stop := min(from+len(body), len(answer))
	for stop < len(answer) {
		r, size := utf8.DecodeRuneInString(answer[stop:])
		if unicode.IsSpace(r) {
			break
		}
		stop += size
	}
	out := strings.TrimRightFunc(answer[from:stop], unicode.IsSpace)
	if strings.TrimSpace(answer[stop:]) != "" {
		out += "…"
	}
	return strings.TrimLeftFunc(out, unicode.IsSpace)
}
