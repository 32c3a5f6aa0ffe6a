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

// leapPlan is the leapfrog of one window at one k-th score, with scratch
// reused from one plan to the next.
type leapPlan struct {
	partners []*termCursor // the required terms' long lists, walked in step, sparsest first
	base     float64       // what the other terms and the pairs can add
	in, has  []bool
	most     []float64 // per term, its lists' highest window bound
	drop     []float64 // per term, its bound and its pairs' ceilings
	others   []*termCursor
}

// plan finds the required terms among the lists ls (probed and walked,
// each with its window bound) at theta. A required term's long list is
// walked in step when it holds at most leapDensity times the postings of
// the essential lists (ess): a sparser walk probes it instead.
func (p *leapPlan) plan(nTerms int, ls, ess []*termCursor, theta float64, termSum func([]*termCursor, []bool) float64, pb *pairBounds) {
	if len(p.in) != nTerms {
		p.in, p.has = make([]bool, nTerms), make([]bool, nTerms)
		p.most, p.drop = make([]float64, nTerms), make([]float64, nTerms)
	}
	clear(p.in)
	clear(p.has)
	clear(p.most)
	clear(p.drop)
	p.partners, p.base = p.partners[:0], 0
	for _, tc := range ls {
		if tc.wub > 0 {
			p.most[tc.index] = max(p.most[tc.index], tc.wub)
			p.has[tc.index] = true
		}
	}
	total := pb.within(p.has)
	for i, pr := range pb.pairs {
		if p.has[pr[0]] && p.has[pr[1]] {
			p.drop[pr[0]] += pb.most[i]
			p.drop[pr[1]] += pb.most[i]
		}
	}
	for ti, b := range p.most {
		total += b
		p.drop[ti] += b
	}
	var walked float64
	for _, tc := range ess {
		walked += tc.length()
	}
	for _, tc := range ls {
		t := tc.t
		if tc.isTop || len(t.Stems) != 1 || p.in[tc.index] || t.DocFreq > leapDensity*walked {
			continue
		}
		// What the others add without the term, first roughly (most
		// windows of a question of several words have no required term),
		// then exactly, summed as the walk sums it.
		if total-p.drop[tc.index] > theta*(1+1e-6)+1e-9 {
			continue
		}
		p.others = p.others[:0]
		for _, o := range ls {
			if o.index != tc.index {
				p.others = append(p.others, o)
			}
		}
		if termSum(p.others, nil) < theta {
			p.in[tc.index] = true
			p.partners = append(p.partners, tc)
		}
	}
	if len(p.partners) == 0 {
		return
	}
	// Sparsest first: it moves the others furthest.
	for i := 1; i < len(p.partners); i++ {
		for j := i; j > 0 && p.partners[j].length() < p.partners[j-1].length(); j-- {
			p.partners[j], p.partners[j-1] = p.partners[j-1], p.partners[j]
		}
	}
	for ti, b := range p.most {
		if p.in[ti] {
			p.has[ti] = true
		} else {
			p.base += b
		}
	}
	p.base += pb.within(p.has)
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
			v := scale(tc, b)
			if tc.top != nil && v > tc.cap {
				// A skip byte is coarse: a posting under the cut may be
				// bounded above it. Every posting above the cut is in
				// the term's top list; one the top list lacks gets the
				// cut at most.
				in, err := holds(ctx, tc.top, d)
				if err != nil {
					return 0, err
				}
				if !in {
					v = tc.cap
				}
			}
			sum += v
		}
		if sum >= theta {
			return d, nil
		}
		d++
	}
	return d, nil
}

// holds says whether list tc holds entry d, moving its cursors to d.
func holds(ctx context.Context, tc *termCursor, d int64) (bool, error) {
	for _, c := range tc.stems {
		if err := c.advanceTo(ctx, d); err != nil {
			return false, err
		}
		if x, err := c.doc(ctx); err != nil || x == d {
			return err == nil, err
		}
	}
	return false, nil
}
