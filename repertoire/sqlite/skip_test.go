package sqlite

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The skip byte bounds a posting's bound from above, never below, and is
// tight to 1/skipScale where it does not defer to the chunk's bound.
func TestSkipByteBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bs := []float64{0, 1e-12, 1.0 / skipScale, 2.0 / skipScale, 1, 2.2, (skipTop-1)/skipScale - 1e-12, (skipTop - 1) / skipScale, 5, 1e6}
	for range 10_000 {
		bs = append(bs, r.Float64()*5)
	}
	for _, b := range bs {
		chunk := b * (1 + r.Float64())
		q := skipQ(b)
		got := skipBound(q, chunk)
		if got < b {
			t.Fatalf("skipBound(skipQ(%g)) = %g, below", b, got)
		}
		if q != skipTop && got-b > 1.0/skipScale+1e-12 {
			t.Fatalf("skipBound(skipQ(%g)) = %g, looser than 1/%d", b, got, skipScale)
		}
		if q == skipTop && got != chunk {
			t.Fatalf("skipQ(%g) defers, bound %g, chunk %g", b, got, chunk)
		}
	}
	if q := skipQ(math.NaN()); q != skipTop {
		t.Fatalf("skipQ(NaN) = %d", q)
	}
}
