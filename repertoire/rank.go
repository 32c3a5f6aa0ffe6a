package repertoire

import (
	"math"
)

// The ranking, in one place. Search computes it two ways that must agree to
// the last bit: from the postings (searchindex.go) to bound and prune, and
// from an entry's tokenized text (scoreHit) for the final score and for the
// exhaustive reference. Whoever changes a formula here keeps three things
// true, and TestSearchEqualsExhaustive checks them:
//
//   - termScore is non-decreasing in each tf, at most idf × satMax, and
//     termScore's tfn is non-decreasing in the average lengths (the stored
//     bounds are scaled by avgDrift when the averages grow);
//   - priorOf is at most priorCeiling(howTo) × the prior without the kind
//     factor (priorOf(..., false)), which is what the index stores;
//   - the proximity bonus of a pair of words is at most proximityCeiling of
//     the pair.
const (
	// Field weights of BM25F: a match in the question says more than one in
	// a long answer; tags are chosen words.
	weightQuestion = 3.0
	weightAnswer   = 1.0
	weightTags     = 2.0
	bm25K1         = 1.2
	bm25B          = 0.75
	// satMax bounds tfn·(k1+1)/(k1+tfn) for any tfn.
	SatMax = bm25K1 + 1
)

var fieldWeights = [3]float64{weightQuestion, weightAnswer, weightTags}

// IdfOf is BM25's inverse document frequency.
func IdfOf(n, df float64) float64 { return math.Log(1 + (n-df+0.5)/(df+0.5)) }

// TfnOf is BM25F's weighted, length-normalised term frequency over the
// question, answer and tags.
func TfnOf(tf [3]int, lens [3]int, avg [3]float64) float64 {
	var tfn float64
	for f := range 3 {
		if tf[f] == 0 {
			continue
		}
		norm := 1 - bm25B + bm25B*float64(lens[f])/avg[f]
		tfn += fieldWeights[f] * float64(tf[f]) / norm
	}
	return tfn
}

// Saturate is BM25's term-frequency saturation.
func Saturate(tfn float64) float64 { return tfn * (bm25K1 + 1) / (bm25K1 + tfn) }

// TermScore is one word's contribution before the prior.
func TermScore(idf float64, tf [3]int, lens [3]int, avg [3]float64) float64 {
	tfn := TfnOf(tf, lens, avg)
	if tfn == 0 {
		return 0
	}
	return idf * Saturate(tfn)
}

// PriorInputs is what the repertoire knows about an entry beyond its words.
type PriorInputs struct {
	Votes, Helpful, Unhelpful int
	Kind                      Kind
}

// Prior is what the repertoire knows about an entry beyond its words: how
// many members endorsed it, whether recall answers showing it helped, and,
// for how-to questions, whether it is a solution. A multiplier, so relevance
// stays first.
func Prior(e Entry, howTo bool) float64 {
	return PriorOf(PriorInputs{e.Votes, e.Helpful, e.Unhelpful, e.Kind}, howTo)
}

func PriorOf(e PriorInputs, howTo bool) float64 {
	p := 1 + 0.1*math.Log1p(float64(max(e.Votes, 0)))
	fb := float64(e.Helpful-e.Unhelpful) / float64(e.Helpful+e.Unhelpful+2)
	p *= 1 + 0.2*fb
	if howTo {
		switch e.Kind {
		case Solution, HowWeDo:
			p *= 1.15
		case Tip:
			p *= 1.05
		}
	}
	return p
}

// PriorCeiling bounds priorOf(e, howTo) / priorOf(e, false).
func PriorCeiling(howTo bool) float64 {
	if howTo {
		return 1.15
	}
	return 1
}

// ProximityBonus rewards two neighbouring query words found best words
// apart (1 = adjacent in order); 0 beyond four words.
func ProximityBonus(idfA, idfB float64, best int) float64 {
	if best > 4 {
		return 0
	}
	return 0.5 * min(idfA, idfB) / float64(best)
}

// ProximityCeiling bounds proximityBonus for any distance.
func ProximityCeiling(idfA, idfB float64) float64 { return 0.5 * min(idfA, idfB) }

// AvgDrift is how much stored bounds computed at average lengths bound
// must be scaled for the current averages avg: tfn grows with the average
// length, at most in proportion.
func AvgDrift(avg, bound [3]float64) float64 {
	d := 1.0
	for f := range 3 {
		if bound[f] > 0 && avg[f] > bound[f] {
			d = max(d, avg[f]/bound[f])
		} else if bound[f] <= 0 {
			return math.Inf(1)
		}
	}
	return d
}
