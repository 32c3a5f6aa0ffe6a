package repertoire

import (
	"encoding/binary"
	"errors"
)

// Posting is one entry holding one stem, as both stores' search indexes
// keep it: what scoring needs, token positions per field included, so an
// entry is scored from its postings without loading its text.
type Posting struct {
	ID    int64
	TF    [3]int
	Lens  [3]int
	Prior PriorInputs
	Pos   [3][]int32
}

// chunkKinds are the kinds in the order of their codes in a chunk.
var chunkKinds = [...]Kind{Tip, Solution, Story, HowWeDo}

// KindCode is k's code in a chunk (an unknown kind is a tip's 0).
func KindCode(k Kind) uint64 {
	for i, c := range chunkKinds {
		if c == k {
			return uint64(i)
		}
	}
	return 0
}

// KindOfCode is the kind a chunk's code stands for; ok is false for a code
// no kind has.
func KindOfCode(code int64) (k Kind, ok bool) {
	if code < 0 || code >= int64(len(chunkKinds)) {
		return "", false
	}
	return chunkKinds[code], true
}

// ErrCorruptChunk is returned for chunk data that does not decode.
var ErrCorruptChunk = errors.New("search index: corrupt chunk")

// EncodeChunk writes postings (ascending IDs, at least one) in the chunk
// format both stores share: for each posting, unsigned varints unless
// noted: its ID minus the previous posting's (0 for the first, whose ID is
// the chunk's first, kept beside the data); tf of question, answer, tags;
// the token counts of question, answer, tags; votes (a signed zig-zag
// varint); helpful; unhelpful; the kind's code (KindCode); then, for each
// field in turn, its tf token positions, each as the difference from the
// previous one in that field (the first from 0).
func EncodeChunk(ps []Posting) []byte {
	return AppendChunk(make([]byte, 0, len(ps)*12), ps[0].ID, ps)
}

// AppendChunk appends postings (ascending IDs, all above prev) to chunk
// data b whose last posting is entry prev, and returns the longer data: the
// format is a run of deltas, so a chunk grows at its end without being
// decoded. With b empty and prev the first posting's ID it is EncodeChunk.
func AppendChunk(b []byte, prev int64, ps []Posting) []byte {
	for _, p := range ps {
		b = binary.AppendUvarint(b, uint64(p.ID-prev))
		prev = p.ID
		for f := range 3 {
			b = binary.AppendUvarint(b, uint64(p.TF[f]))
		}
		for f := range 3 {
			b = binary.AppendUvarint(b, uint64(p.Lens[f]))
		}
		b = binary.AppendVarint(b, int64(p.Prior.Votes))
		b = binary.AppendUvarint(b, uint64(p.Prior.Helpful))
		b = binary.AppendUvarint(b, uint64(p.Prior.Unhelpful))
		b = binary.AppendUvarint(b, KindCode(p.Prior.Kind))
		for f := range 3 {
			prev := int32(0)
			for _, x := range p.Pos[f] {
				b = binary.AppendUvarint(b, uint64(x-prev))
				prev = x
			}
		}
	}
	return b
}

// ChunkLen counts the postings of chunk data without decoding them.
func ChunkLen(b []byte) (int, error) {
	n := 0
	var vals [11]int64
	for len(b) > 0 {
		var err error
		if b, err = ReadPostingHead(b, &vals); err != nil {
			return 0, err
		}
		if b, err = SkipPositions(b, vals[1]+vals[2]+vals[3]); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// ReadPostingHead reads the fields of the posting at the start of chunk
// data b that come before its positions into vals, in EncodeChunk's order
// (vals[7], votes, is signed), and returns the rest of b, which starts with
// the posting's positions.
func ReadPostingHead(b []byte, vals *[11]int64) ([]byte, error) {
	for i := range vals {
		var n int
		if i == 7 {
			vals[i], n = binary.Varint(b)
		} else {
			var u uint64
			u, n = binary.Uvarint(b)
			vals[i] = int64(u)
		}
		if n <= 0 {
			return nil, ErrCorruptChunk
		}
		b = b[n:]
	}
	return b, nil
}

// SkipPositions passes over n positions at the start of b without decoding
// them (each is one varint: only its last byte is below 0x80).
func SkipPositions(b []byte, n int64) ([]byte, error) {
	if n < 0 || n > int64(len(b)) {
		return nil, ErrCorruptChunk
	}
	for range n {
		k := 0
		for k < len(b) && b[k] >= 0x80 {
			k++
		}
		if k == len(b) {
			return nil, ErrCorruptChunk
		}
		b = b[k+1:]
	}
	return b, nil
}

// DecodeChunk decodes a chunk whose first posting is entry first, into out
// and its positions into pos (both reused from their start; pass nil for
// fresh ones). The postings' positions point into the returned pos, so they
// hold until pos is passed to another call.
func DecodeChunk(first int64, b []byte, out []Posting, pos []int32) ([]Posting, []int32, error) {
	out = out[:0]
	pos = pos[:0]
	id := first
	for len(b) > 0 {
		var p Posting
		var err error
		if b, pos, err = ReadPosting(b, id, &p, pos); err != nil {
			return nil, nil, err
		}
		id = p.ID
		out = append(out, p)
	}
	return out, pos, nil
}

// ReadPosting decodes the posting at the start of chunk data b, whose ID is
// prev plus its delta (prev is the chunk's first ID for its first posting),
// into p, appending its positions to pos; it returns the rest of b and pos.
// A reader that needs few of a chunk's postings reads the others' heads
// only (ReadPostingHead, SkipPositions).
func ReadPosting(b []byte, prev int64, p *Posting, pos []int32) ([]byte, []int32, error) {
	var vals [11]int64
	b, err := ReadPostingHead(b, &vals)
	if err != nil {
		return nil, pos, err
	}
	kind, ok := KindOfCode(vals[10])
	if !ok {
		return nil, pos, ErrCorruptChunk
	}
	*p = Posting{
		ID:    prev + vals[0],
		TF:    [3]int{int(vals[1]), int(vals[2]), int(vals[3])},
		Lens:  [3]int{int(vals[4]), int(vals[5]), int(vals[6])},
		Prior: PriorInputs{Votes: int(vals[7]), Helpful: int(vals[8]), Unhelpful: int(vals[9]), Kind: kind},
	}
	for f := range 3 {
		if p.TF[f] < 0 || p.TF[f] > len(b) {
			return nil, pos, ErrCorruptChunk
		}
		start := len(pos)
		x := int32(0)
		for range p.TF[f] {
			u, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, pos, ErrCorruptChunk
			}
			b = b[n:]
			x += int32(u)
			pos = append(pos, x)
		}
		p.Pos[f] = pos[start:len(pos):len(pos)]
	}
	return b, pos, nil
}

// SkipPosting passes over the posting at the start of chunk data b without
// decoding it and returns its ID delta (EncodeChunk's first value) and the
// rest of b: ReadPostingHead and SkipPositions in one pass that keeps only
// the delta and the term frequencies (the count of positions to skip).
func SkipPosting(b []byte) (int64, []byte, error) {
	delta, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, ErrCorruptChunk
	}
	b = b[n:]
	var tf uint64
	for range 3 {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, nil, ErrCorruptChunk
		}
		tf += x
		b = b[n:]
	}
	// The token counts, votes, helpful, unhelpful and kind (7 varints),
	// then the positions: each varint ends at its first byte below 0x80.
	if tf > uint64(len(b)) {
		return 0, nil, ErrCorruptChunk
	}
	k := 0
	for left := 7 + int(tf); left > 0; left-- {
		for k < len(b) && b[k] >= 0x80 {
			k++
		}
		if k == len(b) {
			return 0, nil, ErrCorruptChunk
		}
		k++
	}
	return int64(delta), b[k:], nil
}
