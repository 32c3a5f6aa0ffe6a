package repertoire

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Pairs from Porter's paper and his published vocabulary/output lists.
func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat",
		"feed": "feed", "agreed": "agre", "plastered": "plaster", "bled": "bled", "motoring": "motor",
		"sing": "sing", "conflated": "conflat", "troubled": "troubl", "sized": "size", "hopping": "hop",
		"tanned": "tan", "falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail",
		"filing": "file", "happy": "happi", "sky": "sky", "relational": "relat", "conditional": "condit",
		"rational": "ration", "generalization": "gener", "rotating": "rotat", "rotate": "rotat",
		"certificates": "certif", "deploying": "deploi", "controll": "control", "roll": "roll",
		"adjustment": "adjust", "adoption": "adopt", "electrical": "electr", "hopefulness": "hope",
		"go": "go", "tls": "tl", "k8s": "k8s", "café": "café",
	} {
		if got := Stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	var got []string
	for _, tok := range Tokenize(`Rotating the TLS-cert: "Café" k8s_v2 naïve`) {
		got = append(got, tok.Raw+"/"+Stem(tok.Raw))
	}
	want := []string{"rotating/rotat", "the/the", "tls/tl", "cert/cert", "cafe/cafe", "k8s/k8s", "v2/v2", "naive/naiv"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize = %v, want %v", got, want)
	}
}

// TestTokenizeClassifiesAsUnicode: Tokenize's ASCII fast path cuts words
// where unicode's letter, number and mark classes do, on random texts
// mixing ASCII letters, digits and punctuation with accented letters,
// combining marks, non-Latin letters and digits and other symbols.
func TestTokenizeClassifiesAsUnicode(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	alphabet := []rune("aZ09 _-.:/\"'\t\n#@éÉßñ\u0301\u0308жЖ日本٣²€✓")
	for range 2000 {
		rs := make([]rune, r.IntN(40))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		text := string(rs)
		got, want := Tokenize(text), tokenizeByClass(text)
		if !slices.Equal(got, want) {
			t.Fatalf("Tokenize(%q) = %v, want %v", text, got, want)
		}
	}
}

// tokenizeByClass is Tokenize classifying every rune by unicode's tables.
func tokenizeByClass(text string) []Token {
	var out []Token
	start := -1
	for i := 0; i <= len(text); {
		var r rune
		size := 1
		if i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		word := i < len(text) && (unicode.IsLetter(r) || unicode.IsNumber(r) || (start >= 0 && unicode.Is(unicode.Mn, r)))
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			if raw := foldWord(text[start:i]); raw != "" {
				out = append(out, Token{Raw: raw, start: start, end: i})
			}
			start = -1
		}
		i += size
	}
	return out
}

// TestTokenizeAllocatesOnce: an answer's tokens (a snippet tokenises each
// hit's answer) take one allocation, not one per doubling of the slice.
func TestTokenizeAllocatesOnce(t *testing.T) {
	text := strings.Repeat("rotate the cert, then reload nginx: k8s v2 ", 6)
	if n := testing.AllocsPerRun(100, func() { Tokenize(text) }); n > 1 {
		t.Errorf("Tokenize allocates %v times, want 1", n)
	}
}
