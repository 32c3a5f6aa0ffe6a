package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// referenceWords is the rule appendWords implements, written the obvious
// way (lower the text, split on what is neither letter nor digit, drop
// short words and stop words, cut to five letters).
func referenceWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if len(w) < 2 || answerStopWords[w] {
			continue
		}
		if r := []rune(w); len(r) > 5 {
			w = string(r[:5])
		}
		out = append(out, w)
	}
	return out
}

func TestAppendWordsIsTheObviousRule(t *testing.T) {
	texts := []string{
		"",
		"a",
		"The Pods RESTART in a CrashLoopBackOff after helm upgrade --install (v1.2.3)!",
		"Straße ÜBER naïve café ÉCOLE İstanbul ΣΊΣΥΦΟΣ Ωμέγα 東京都 ２０２４ x٣y",
		"don't can't it's I'm e-mail foo_bar foo.bar@example.com https://x.io/a?b=c",
		"tab\tnew\nline\r\nthe and of to 12 1 ab abc abcdef abcdefghij",
		"invalid \xff\xfe utf8 \xc3 here",
		strings.Repeat("verylongwordwithoutanybreak", 10),
		"ǅungla ǈubljana ﬁnance Kelvin\u212a sign",
	}
	for _, s := range texts {
		got, want := appendWords(nil, s), referenceWords(s)
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want)
		}
	}
	// Appending keeps what dst held.
	if got := appendWords([]string{"kept"}, "Docker images"); !slices.Equal(got, []string{"kept", "docke", "image"}) {
		t.Errorf("append: %q", got)
	}
}

func FuzzAppendWords(f *testing.F) {
	f.Add("Hello, World! naïve ΣΊΣΥΦΟΣ \xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendWords(nil, s), referenceWords(s); !slices.Equal(got, want) {
			t.Errorf("%q: got %q want %q", s, got, want)
		}
	})
}
