package sqlite

import (
	"context"
	"math"
)

// A query of common words walks a long list from end to end once the
// k-th score passes what the words' cuts add up to: for three words of
// tiny idf the pairs' proximity ceilings keep one of them essential, and
// at 1M entries "ni fa ko" walked ~450,000 candidates, nearly all of which
// lacked one of the other words or were ruled out by their skip bytes, at
// the cost of MaxScore's bookkeeping each. When every list but a term's
// cannot reach the k-th score together, an entry without that term cannot
// enter the top k: the term is required. The walk then moves the required
// terms' long lists in step (leapfrog, the sparsest first), from their
// skip lists, to the next entry all of them hold whose bound from their
// skip bytes, with the other terms' window bounds and every pair's
// ceiling, reaches the k-th score; only such an entry is a candidate.

// leapPlan is the leapfrog of one window at one k-th score.
type leapPlan struct {
	partners []*termCursor // the required terms' long lists, walked in step, sparsest first
	base     float64       // what the other terms and the pairs can add
}

// plan finds the required terms among the lists ls (probed and walked,
// each with its window bound) at theta. A required term's long list is
// walked in step when it holds at most leapDensity times the postings of
// the essential lists (ess): a sparser walk probes it instead.
func (sr *searcher) leapPlan(ls, ess []*termCursor, theta float64, termSum func([]*termCursor, []bool) float64, pb *pairBounds) leapPlan {
	var walked float64
	for _, tc := range ess {
		walked += tc.length()
	}
	var p leapPlan
	in := make([]bool, len(sr.terms))
	others := make([]*termCursor, 0, len(ls))
	for _, tc := range ls {
		t := tc.t
		if tc.isTop || len(t.Stems) != 1 || in[tc.index] || t.DocFreq > leapDensity*walked {
			continue
		}
		others = others[:0]
		for _, o := range ls {
			if o.index != tc.index {
				others = append(others, o)
			}
		}
		if termSum(others, nil) < theta {
			in[tc.index] = true
			p.partners = append(p.partners, tc)
		}
	}
	if len(p.partners) == 0 {
		return p
	}
	// Sparsest first: it moves the others furthest.
	for i := 1; i < len(p.partners); i++ {
		for j := i; j > 0 && p.partners[j].length() < p.partners[j-1].length(); j-- {
			p.partners[j], p.partners[j-1] = p.partners[j-1], p.partners[j]
		}
	}
	most := make([]float64, len(sr.terms))
	has := make([]bool, len(sr.terms))
	for _, tc := range ls {
		if in[tc.index] {
			has[tc.index] = true
		} else if tc.wub > 0 {
			most[tc.index] = max(most[tc.index], tc.wub)
			has[tc.index] = true
		}
	}
	for _, b := range most {
		p.base += b
	}
	p.base += pb.within(has)
	return p
}

// leapDensity: a required term's long list is walked in step when it
// holds at most this many times the essential lists' postings.
const leapDensity = 4

// leap is the first entry at or after d, up to upTo, that every partner
// holds and whose bound reaches theta (above upTo when none); the
// partners' cursors are left at it. scale turns a posting's stored bound
// into a bound of what the term adds.
func (p *leapPlan) leap(ctx context.Context, d, upTo int64, theta float64, scale func(tc *termCursor, b float64) float64) (int64, error) {
	for d <= upTo {
		moved := false
		for _, tc := range p.partners {
			x := int64(-1)
			for _, c := range tc.stems {
				if err := c.advanceTo(ctx, d); err != nil {
					return 0, err
				}
				y, err := c.doc(ctx)
				if err != nil {
					return 0, err
				}
				if y >= 0 && (x < 0 || y < x) {
					x = y
				}
			}
			if x < 0 {
				return math.MaxInt64, nil
			}
			if x > d {
				d, moved = x, true
				break
			}
		}
		if moved {
			continue
		}
		sum := p.base
		for _, tc := range p.partners {
			var b float64
			for _, c := range tc.stems {
				if y, err := c.doc(ctx); err != nil {
					return 0, err
				} else if y == d {
					b = max(b, c.bound(d))
				}
			}
			sum += scale(tc, b)
		}
		if sum >= theta {
			return d, nil
		}
		d++
	}
	return d, nil
}
