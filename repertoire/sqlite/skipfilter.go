package sqlite

import "github.com/repertoire/repertoire/repertoire"

// Most entries the walk meets in an essential list cannot reach the k-th
// score: at 1M entries a query of two or three medium words meets ~7,000–
// 23,000 of them and scores ~50, a member's question of six common words
// meets up to 100,000 and scores a few hundred. The walk learns that of
// each from the lists' skip lists (refine), through its cursors, a few
// hundred nanoseconds an entry. A skipFilter answers the same from the
// same skip lists in a tight loop: it walks, ahead of the cursors and
// without moving them, every query term's long list (each holds a copy of
// every posting the term's top list holds), and passes over the entries
// whose bound, every term counted at its posting's bound where its list
// holds the entry, at nothing where it does not, at its window bound where
// the list cannot tell, with the proximity ceilings of the pairs of terms
// counted, falls below the k-th score. It reads no statement: a list
// whose cursor has not fetched the headers that far, or whose chunk there
// has no skip list and is not in memory, cannot tell.
type skipFilter struct {
	sr    *searcher
	terms []*filterTerm // per query term
	has   []bool        // scratch, per term
	got   []float64     // scratch, per term: its bound for the entry asked
	order []int         // the terms by window bound, descending
	scale func(t *repertoire.QueryTerm, ub float64) float64
	pb    *pairBounds
}

// filterTerm is one query term's long list: an iterator per stem.
type filterTerm struct {
	tc  *termCursor
	its []skipIter
	// Per entry asked: whether the lists hold it, and the term's bound
	// there (known false: some list could not tell).
	known, found bool
	bound        float64
}

// skipIter walks one stem's list by its chunks' skip lists (a chunk held
// in memory: its postings' IDs, each bounded by the chunk's bound), from
// the headers its cursor fetched, on a copy of the skip list.
type skipIter struct {
	c          *stemCursor
	in         bool // a chunk is being read, up to entry last
	last       int64
	chunkBound float64
	coded      bool // rest is a skip list; else postings
	buf        []byte
	rest       []byte
	id         int64 // the entry read last (valid when ok), its byte q
	q          byte
	ok         bool
}

func newSkipFilter(sr *searcher, longs []*termCursor, pb *pairBounds, scale func(*repertoire.QueryTerm, float64) float64) *skipFilter {
	n := len(sr.terms)
	f := &skipFilter{sr: sr, terms: make([]*filterTerm, n), has: make([]bool, n), got: make([]float64, n), order: make([]int, n), scale: scale, pb: pb}
	for _, tc := range longs {
		ft := &filterTerm{tc: tc}
		for _, c := range tc.stems {
			ft.its = append(ft.its, skipIter{c: c})
		}
		f.terms[tc.index] = ft
	}
	return f
}

// at tells whether the list holds entry x, with a bound of its posting's
// bound, when known without a statement. Successive calls ask x
// ascending, at or past the cursor's position.
func (it *skipIter) at(x int64) (known, found bool, bound float64) {
	if !it.in || x > it.last {
		it.in = false
		c := it.c
		i := headAt(c.heads, c.h, x)
		if i == len(c.heads) {
			return c.done, false, 0
		}
		hd := &c.heads[i]
		if hd.first > x {
			return true, false, 0
		}
		var data []byte
		switch {
		case hd.skip != nil:
			data, it.coded = hd.skip, true
		case c.mems != nil:
			data, it.coded = c.mems[i], false
		case c.mem != nil:
			data, it.coded = c.mem, false
		default:
			return false, false, 0
		}
		it.buf = append(it.buf[:0], data...)
		it.in, it.last, it.chunkBound = true, hd.last, hd.bound
		it.rest, it.id, it.ok = it.buf, hd.first, false
	}
	for !it.ok || it.id < x {
		if len(it.rest) == 0 {
			return false, false, 0 // the chunk's last ID said otherwise
		}
		if it.coded {
			id, q, rest, err := skipNext(it.rest, it.id)
			if err != nil {
				return false, false, 0
			}
			it.id, it.q, it.rest = id, q, rest
		} else {
			delta, rest, err := repertoire.SkipPosting(it.rest)
			if err != nil {
				return false, false, 0
			}
			it.id, it.q, it.rest = it.id+delta, skipTop, rest
		}
		it.ok = true
	}
	if it.id != x {
		return true, false, 0
	}
	return true, true, skipBound(it.q, it.chunkBound)
}

// next is the entry after x (at least x+1) that the iterator's list holds,
// or, when its list cannot tell, x+1.
func (it *skipIter) next(x int64) (id int64, known bool) {
	known, _, _ = it.at(x + 1)
	if !known {
		return x + 1, false
	}
	if it.in && it.ok && it.id >= x+1 {
		return it.id, true
	}
	// x+1 lies between chunks, or past the chunks fetched: the next
	// chunk's first entry, if the cursor fetched it.
	c := it.c
	i := headAt(c.heads, c.h, x+1)
	if i == len(c.heads) {
		if c.done {
			return -1, true
		}
		return x + 1, false
	}
	return c.heads[i].first, true
}

// headAt is the index of the first of hs[from:] whose last entry is at or
// after x (len(hs) when none).
func headAt(hs []chunkHead, from int, x int64) int {
	lo, hi := min(from, len(hs)), len(hs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if hs[m].last < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// ask fills term ft's known, found and bound for entry x.
func (ft *filterTerm) ask(x int64) {
	ft.known, ft.found, ft.bound = true, false, 0
	for i := range ft.its {
		k, fd, b := ft.its[i].at(x)
		if !k {
			ft.known = false
		}
		if fd {
			ft.found, ft.bound = true, max(ft.bound, b)
		}
	}
}

// bound bounds entry x's score: each term at its posting's bound where its
// lists hold x, at nothing where they do not, at unknown[term] (its window
// bound) where they cannot tell, with the pairs' ceilings. The terms are
// asked by window bound, descending, and only until the bound falls below
// theta: a word in most entries weighs little, and its lists are passed
// over unread where no entry needs them.
func (f *skipFilter) bound(x int64, theta float64, unknown []float64) float64 {
	var sum float64
	for ti := range f.terms {
		f.got[ti], f.has[ti] = unknown[ti], unknown[ti] > 0
		sum += unknown[ti]
	}
	total := sum + f.pb.within(f.has)
	for _, ti := range f.order {
		if total < theta {
			break
		}
		ft := f.terms[ti]
		ft.ask(x)
		b, has := unknown[ti], unknown[ti] > 0
		switch {
		case !ft.known:
		case ft.found && len(ft.tc.t.Stems) == 1:
			b, has = min(f.scale(ft.tc.t, ft.bound), unknown[ti]), true
		case ft.found:
			b, has = unknown[ti], true // a prefix's stems add up: its whole bound
		default:
			b, has = 0, false
		}
		sum += b - f.got[ti]
		f.got[ti], f.has[ti] = b, has
		total = sum + f.pb.within(f.has)
	}
	return total
}

// next returns the first entry from d on, up to upTo, that some list of
// the terms essential (those with a list walked) holds and whose bound
// reaches theta; upTo+1 when none; d itself when the lists cannot tell.
// unknown gives each term's bound where its lists cannot tell (its window
// bound).
func (f *skipFilter) next(d, upTo int64, theta float64, essential []bool, unknown []float64) int64 {
	for i := range f.order {
		f.order[i] = i
		for j := i; j > 0 && unknown[f.order[j]] > unknown[f.order[j-1]]; j-- {
			f.order[j], f.order[j-1] = f.order[j-1], f.order[j]
		}
	}
	x := d
	for x <= upTo {
		if f.bound(x, theta, unknown) >= theta {
			return x
		}
		// The next entry an essential term's lists hold.
		nx := int64(-1)
		for ti, ft := range f.terms {
			if !essential[ti] {
				continue
			}
			for i := range ft.its {
				id, known := ft.its[i].next(x)
				if !known {
					return x + 1
				}
				if id >= 0 && (nx < 0 || id < nx) {
					nx = id
				}
			}
		}
		if nx < 0 {
			return upTo + 1
		}
		if nx <= x {
			return x + 1 // not reached: the lists hold entries ascending
		}
		x = nx
	}
	return upTo + 1
}
