package sqlite

import "context"

// Walking a list by its chunks' skip lists (skip.go): the cursor learns
// which entries a chunk holds, and a bound of what each can add, from the
// headers it fetched, and reads the chunk only for a posting a search
// needs (stemCursor.posting).

// skipDoc is doc for a chunk not read whose skip list is known: the first
// entry at or after c.at.
func (c *stemCursor) skipDoc() (int64, error) {
	hd := &c.heads[c.h]
	if c.skH != c.h+1 {
		c.skH, c.skRest, c.skID, c.skOK = c.h+1, hd.skip, hd.first, false
	}
	for !c.skOK || c.skID < c.at {
		if len(c.skRest) == 0 {
			return -1, errCorrupt // the chunk's last ID said otherwise
		}
		id, q, rest, err := skipNext(c.skRest, c.skID)
		if err != nil {
			return -1, err
		}
		c.skID, c.skQ, c.skRest, c.skOK = id, q, rest, true
	}
	return c.skID, nil
}

// bound bounds the bound of the cursor's posting of entry d (doc is d):
// its skip list's byte when the walk read it there, else the chunk's.
func (c *stemCursor) bound(d int64) float64 {
	hd := c.heads[c.h]
	if c.skH == c.h+1 && c.skOK && c.skID == d {
		return skipBound(c.skQ, hd.bound)
	}
	return hd.bound
}

// peek tells whether the list holds entry d and a bound of its posting's
// bound, when that is known without a statement: d lies within the
// headers fetched, and its chunk is in memory or has a skip list. known
// is false otherwise (nothing moved).
func (c *stemCursor) peek(ctx context.Context, d int64) (known, found bool, bound float64, err error) {
	inMemory := c.mem != nil || c.mems != nil
	if d > c.at && !inMemory && !c.done && (len(c.heads) == 0 || d > c.heads[len(c.heads)-1].last) {
		return false, false, 0, nil // a statement would fetch headers
	}
	if err := c.advanceTo(ctx, d); err != nil {
		return false, false, 0, err
	}
	if c.ended() || c.head().first > d {
		return true, false, 0, nil
	}
	if !inMemory && c.loaded != c.h && c.head().skip == nil {
		return false, false, 0, nil
	}
	x, err := c.doc(ctx)
	if err != nil || x != d {
		return err == nil, false, 0, err
	}
	return true, true, c.bound(d), nil
}

// peek is stemCursor.peek for the term: known when every stem's list
// answers; bound is the highest of those holding d.
func (tc *termCursor) peek(ctx context.Context, d int64) (known, found bool, bound float64, err error) {
	known = true
	for _, c := range tc.stems {
		k, f, b, err := c.peek(ctx, d)
		if err != nil {
			return false, false, 0, err
		}
		known = known && k
		if f {
			found, bound = true, max(bound, b)
		}
	}
	return known, found, bound, nil
}
