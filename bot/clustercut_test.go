package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// oneLine cuts long text at a character a reader sees whole: never inside
// a family emoji, a flag, a skin-toned hand or a letter with its combining
// accent, and within its limit.
func TestOneLineCutsWholeCharacters(t *testing.T) {
	family := "👩\u200d👩\u200d👧\u200d👦"
	for _, tc := range []struct{ text, unit string }{
		{strings.Repeat(family+" ", 40), family},
		{strings.Repeat("🇫🇷", 60), "🇫🇷"},
		{"x" + strings.Repeat("🇫🇷", 60), "🇫🇷"},
		{strings.Repeat("👍🏽", 60), "👍🏽"},
		{strings.Repeat("e\u0301", 60), "e\u0301"},
		{strings.Repeat("❤️", 60), "❤️"},
	} {
		for n := 10; n < 40; n++ { // more runes than one character has (a family has 7)
			got := oneLine(tc.text, n)
			if utf8.RuneCountInString(got) > n {
				t.Errorf("oneLine(%q…, %d) has %d runes", tc.unit, n, utf8.RuneCountInString(got))
			}
			body := strings.TrimSuffix(got, "…")
			body = strings.TrimPrefix(body, "x")
			if rest := strings.ReplaceAll(strings.ReplaceAll(body, tc.unit, ""), " ", ""); rest != "" {
				t.Fatalf("oneLine(%q…, %d) = %q: it cut %q in two", tc.unit, n, got, tc.unit)
			}
		}
	}
	// A single character longer than the limit is cut at the limit.
	if got := oneLine(strings.Repeat("e\u0301\u0301\u0301", 1)+strings.Repeat("z", 20), 3); utf8.RuneCountInString(got) > 3 {
		t.Errorf("a long cluster: %q", got)
	}
}
