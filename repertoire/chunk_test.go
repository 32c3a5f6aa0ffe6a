package repertoire

import (
	"errors"
	"reflect"
	"testing"
)

func TestChunkRoundTrip(t *testing.T) {
	ps := []Posting{
		{ID: 7, TF: [3]int{2, 0, 1}, Lens: [3]int{9, 0, 3}, Prior: PriorInputs{Votes: -2, Kind: Solution}, Pos: [3][]int32{{1, 5}, nil, {2}}},
		{ID: 8, TF: [3]int{0, 1, 0}, Lens: [3]int{4, 40, 0}, Prior: PriorInputs{Votes: 3, Helpful: 2, Unhelpful: 1, Kind: HowWeDo}, Pos: [3][]int32{nil, {39}, nil}},
		{ID: 1 << 40, TF: [3]int{1, 0, 0}, Lens: [3]int{1, 0, 0}, Prior: PriorInputs{Kind: Story}, Pos: [3][]int32{{0}, nil, nil}},
	}
	got, _, err := DecodeChunk(7, EncodeChunk(ps), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		for f := range 3 {
			if len(got[i].Pos[f]) == 0 {
				got[i].Pos[f] = nil
			}
		}
	}
	if !reflect.DeepEqual(got, ps) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, ps)
	}
}

func TestChunkCorruptIsAnError(t *testing.T) {
	b := EncodeChunk([]Posting{{ID: 1, TF: [3]int{3, 0, 0}, Lens: [3]int{5, 0, 0}, Pos: [3][]int32{{0, 1, 4}, nil, nil}}})
	for n := 1; n < len(b); n++ {
		if _, _, err := DecodeChunk(1, b[:n], nil, nil); !errors.Is(err, ErrCorruptChunk) {
			t.Fatalf("truncated to %d bytes: err %v, want ErrCorruptChunk", n, err)
		}
	}
	bad := append([]byte(nil), b...)
	bad[10] = 9 // the kind's code
	if _, _, err := DecodeChunk(1, bad, nil, nil); !errors.Is(err, ErrCorruptChunk) {
		t.Fatalf("unknown kind: err %v", err)
	}
}

// TestSkipPosting: passing over a chunk's postings one by one gives each
// one's ID delta and ends where the next starts, as decoding does; a
// truncated posting is an error.
func TestSkipPosting(t *testing.T) {
	ps := []Posting{
		{ID: 7, TF: [3]int{2, 0, 1}, Lens: [3]int{9, 0, 3}, Prior: PriorInputs{Votes: -2, Kind: Solution}, Pos: [3][]int32{{1, 500}, nil, {2}}},
		{ID: 300, TF: [3]int{0, 1, 0}, Lens: [3]int{4, 40000, 0}, Prior: PriorInputs{Votes: 3000, Helpful: 2, Unhelpful: 1, Kind: HowWeDo}, Pos: [3][]int32{nil, {39999}, nil}},
		{ID: 1 << 40, TF: [3]int{1, 0, 0}, Lens: [3]int{1, 0, 0}, Prior: PriorInputs{Kind: Story}, Pos: [3][]int32{{0}, nil, nil}},
	}
	b := EncodeChunk(ps)
	prev := ps[0].ID
	for i, p := range ps {
		delta, rest, err := SkipPosting(b)
		if err != nil {
			t.Fatalf("posting %d: %v", i, err)
		}
		if prev+delta != p.ID {
			t.Fatalf("posting %d: ID %d, want %d", i, prev+delta, p.ID)
		}
		var q Posting
		next, _, err := ReadPosting(b, prev, &q, nil)
		if err != nil || len(next) != len(rest) {
			t.Fatalf("posting %d: rest of %d bytes, decoding leaves %d (%v)", i, len(rest), len(next), err)
		}
		prev, b = p.ID, rest
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes left", len(b))
	}
	one := EncodeChunk(ps[:1])
	for n := 0; n < len(one); n++ {
		if _, _, err := SkipPosting(one[:n]); !errors.Is(err, ErrCorruptChunk) {
			t.Fatalf("truncated to %d bytes: err %v, want ErrCorruptChunk", n, err)
		}
	}
}
