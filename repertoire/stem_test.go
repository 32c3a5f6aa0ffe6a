package repertoire

import (
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
