package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

func joinParts(parts []string) string { return strings.Join(parts, "\n\n") }

// Split packs parts into messages of at most limit characters (runes), in
// order, breaking only between parts. A part longer than limit on its own is
// split at line ends (at spaces, at worst at the limit) so nothing is lost.
func Split(parts []string, limit int) []string {
	if limit <= 0 {
		return []string{joinParts(parts)}
	}
	var (
		out []string
		cur strings.Builder
		n   int
	)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
	}
	add := func(p string) {
		pn := utf8.RuneCountInString(p)
		if n > 0 && n+2+pn > limit {
			flush()
		}
		if n > 0 {
			cur.WriteString("\n\n")
			n += 2
		}
		cur.WriteString(p)
		n += pn
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) <= limit {
			add(p)
			continue
		}
		flush()
		out = append(out, splitLong(p, limit)...)
	}
	flush()
	return out
}

func splitLong(s string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(s) > limit {
		r := []rune(s)
		cut := limit
		head := string(r[:limit])
		if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		} else if i := strings.LastIndex(head, " "); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		}
		out = append(out, strings.TrimRight(string(r[:cut]), " \n"))
		s = strings.TrimLeft(string(r[cut:]), " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// crowdPing matches text that would notify a whole channel or server on some
// platform: @everyone, @here, @channel (Discord, Slack legacy) and Slack's
// <!channel>, <!here>, <!everyone>, <!subteam^…>.
var crowdPing = regexp.MustCompile(`(?i)@(everyone|here|channel)\b|<!(channel|here|everyone|subteam)`)

// Inert makes text safe to post: crowd pings get a zero-width joiner so they
// read the same and notify nobody, and invalid UTF-8 is replaced.
func Inert(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return crowdPing.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '@' {
			return "@\u2060" + m[1:]
		}
		return "<\u2060" + m[1:]
	})
}

var hashtag = regexp.MustCompile(`(?:^|[\s(])#([\p{L}\p{N}][\p{L}\p{N}_\-.]{0,40})`)

// Hashtags returns the #tags in text, lower case, without '#', in order of
// first appearance. Slack channel links (<#C123|name>) are not tags.
func Hashtags(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range hashtag.FindAllStringSubmatch(text, -1) {
		t := strings.ToLower(strings.TrimRight(m[1], ".-_"))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// joinWords lists items the way a sentence does, with conj ("and", "or"):
// "a", "a and b", "a, b and c".
func joinWords(items []string, conj string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// oneLine squeezes whitespace and cuts text to n runes for titles and snippets.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:clusterCut(r, n-1)]), " ") + "…"
}

// clusterCut is where to cut r to keep at most n runes without splitting
// what reads as one character: not before a combining mark, a variation
// selector, a skin tone or a zero-width joiner, not after a joiner (a
// family emoji would lose members and still show), and not between the
// two letters of a flag. It backs off to the cluster's start, or cuts at n
// when a single cluster is longer than n.
func clusterCut(r []rune, n int) int {
	if n >= len(r) {
		return len(r)
	}
	k := n
	for k > 0 && (joins(r[k]) || r[k-1] == zwj) {
		k--
	}
	if k > 0 && regional(r[k]) {
		run := 0
		for i := k - 1; i >= 0 && regional(r[i]); i-- {
			run++
		}
		if run%2 == 1 {
			k--
		}
	}
	if k == 0 {
		return n
	}
	return k
}

const zwj = '\u200D'

// joins reports whether c belongs to the character before it.
func joins(c rune) bool {
	return c == zwj || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Me, c) ||
		(c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F)
}

// regional reports whether c is a regional indicator: two make a flag.
func regional(c rune) bool { return c >= 0x1F1E6 && c <= 0x1F1FF }
