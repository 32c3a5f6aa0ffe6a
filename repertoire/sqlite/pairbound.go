package sqlite

import "github.com/repertoire/repertoire/repertoire"

// Proximity rewards two neighbouring query words found close together, so
// an entry earns a pair's bonus only when it holds both words. A bound
// that charges each pair's ceiling to one of its words (as if any entry
// holding that word could earn it) is loose where a question has many
// words: an entry holding one rare word of a pair is probed for the common
// words beside it as though it could earn a bonus it lacks the partner
// for. pairBounds counts a pair's ceiling only for sets of lists that hold
// both its words, and, once an entry's postings are decoded, the pair's
// exact bonus when both words are found and its ceiling only while one of
// them is still unknown.
type pairBounds struct {
	pairs [][2]int  // indexes into the query terms
	ceil  []float64 // per pair, the proximity ceiling, before the prior
	// most is the ceiling times the highest prior an entry holding both
	// words can have (the lower of the two words' highest priors, at the
	// kind's ceiling), with the bound margin: for lists, whose entries'
	// priors are not known.
	most []float64
}

func newPairBounds(pairs [][2]int, terms []*repertoire.QueryTerm, priorCeil float64) *pairBounds {
	pb := &pairBounds{pairs: pairs, ceil: make([]float64, len(pairs)), most: make([]float64, len(pairs))}
	for i, p := range pairs {
		a, b := terms[p[0]], terms[p[1]]
		pb.ceil[i] = repertoire.ProximityCeiling(a.IDF, b.IDF)
		pb.most[i] = pb.ceil[i] * min(a.MaxPrior, b.MaxPrior) * priorCeil * (1 + boundMargin)
	}
	return pb
}

// within bounds the bonuses an entry holding only terms for which has is
// true can earn.
func (pb *pairBounds) within(has []bool) float64 {
	var sum float64
	for i, p := range pb.pairs {
		if has[p[0]] && has[p[1]] {
			sum += pb.most[i]
		}
	}
	return sum
}

// open bounds, before the prior, the bonuses an entry can still earn
// beyond those of the pairs both of whose words it holds (found; their
// bonus is known from the positions): those of the pairs whose words are
// each found or still unknown, one at least unknown.
func (pb *pairBounds) open(found, unknown []bool) float64 {
	var sum float64
	for i, p := range pb.pairs {
		a, b := p[0], p[1]
		if (found[a] || unknown[a]) && (found[b] || unknown[b]) && !(found[a] && found[b]) {
			sum += pb.ceil[i]
		}
	}
	return sum
}
