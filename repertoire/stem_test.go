package repertoire

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
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
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	var got []string
	for _, tok := range tokenize(`Rotating the TLS-cert: "Café" k8s_v2 naïve`) {
		got = append(got, tok.raw+"/"+stem(tok.raw))
	}
	want := []string{"rotating/rotat", "the/the", "tls/tl", "cert/cert", "cafe/cafe", "k8s/k8s", "v2/v2", "naive/naiv"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize = %v, want %v", got, want)
	}
}

// The index totals recall ranks with follow the entries: count and summed
// field lengths as tokenize counts them.
func TestIndexTotals(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, a := range []string{"one two three", "four five", "six"} {
		_, _, err := s.Save(ctx, SaveParams{Channel: Channel{Platform: "p", ID: "c"}, SourceID: string(rune('a' + i)),
			Kind: Tip, Question: "q w", Answer: a, Author: Person{ID: "u"}, Tags: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := loadIndexStats(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	if st.n != 3 || st.avg() != [3]float64{2, 2, 1} {
		t.Errorf("totals: n %v avg %v, want 3 [2 2 1]", st.n, st.avg())
	}
}
