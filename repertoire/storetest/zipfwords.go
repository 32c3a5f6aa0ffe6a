package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// ZipfWords draws words from a Zipf law (s = 1.1) over a vocabulary of
// made-up words ("w0x", "w1x", …, each its own stem), so that random
// repertoires share their words unevenly, as real ones do: a few words in
// most entries, most words in a few.
type ZipfWords struct {
	Vocab []string
	zipf  *rand.Zipf
}

// NewZipfWords makes a vocabulary of size words drawn with r.
func NewZipfWords(r *rand.Rand, size int) *ZipfWords {
	vocab := make([]string, size)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	return &ZipfWords{Vocab: vocab, zipf: rand.NewZipf(r, 1.1, 2, uint64(size-1))}
}

// Word draws one word.
func (z *ZipfWords) Word() string { return z.Vocab[z.zipf.Uint64()] }

// Text draws n words joined by spaces.
func (z *ZipfWords) Text(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = z.Word()
	}
	return strings.Join(w, " ")
}
