package sqlite

import "math"

// After a seed from top lists, the walk reads those lists again, an entry
// at a time, and for most of their entries learns only from their skip
// lists and the other lists' that they cannot reach the k-th score: at 1M
// entries a query of three common words walks ~100,000 such entries to
// score ~40. The seed has read every one of them already, with what its
// top lists hold of it exactly, so it keeps a bound of each entry's score
// (seedBounds); the walk then passes over, without decoding or probing,
// the entries of the top lists whose bound is below the k-th score, as
// long as only top lists are walked (an entry outside them the walk finds
// in another list, which the seed did not read).

// seedBounds are the entries the seeded top lists hold, ascending by ID,
// each with a bound of its score; the walk asks them in ID order.
type seedBounds struct {
	ids []int64
	ubs []float32 // rounded up
	i   int       // where the last answer was
}

// add appends entry id (above those added) with bound ub.
func (sb *seedBounds) add(id int64, ub float64) {
	f := float32(ub)
	if float64(f) < ub || math.IsNaN(ub) {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	sb.ids, sb.ubs = append(sb.ids, id), append(sb.ubs, f)
}

// next is the first entry at or after d whose bound reaches theta
// (math.MaxInt64 when none). Successive calls must ask for d ascending and
// theta not decreasing: entries passed over are not looked at again.
func (sb *seedBounds) next(d int64, theta float64) int64 {
	for sb.i < len(sb.ids) && (sb.ids[sb.i] < d || float64(sb.ubs[sb.i]) < theta) {
		sb.i++
	}
	if sb.i == len(sb.ids) {
		return math.MaxInt64
	}
	return sb.ids[sb.i]
}

// seedBound bounds the score of an entry the seeded top lists hold:
// exactly what they give it (bm, the BM25 terms and proximity of the
// words found, before its prior) and, for each word they did not give it,
// outside[word]: what an entry outside the word's top list may get (the
// cut), or the word's whole bound if it has no top list seeded; the
// proximity ceilings of the pairs with such a word count in full.
func seedBound(bm, prior float64, found, unknown []bool, outside []float64, pb *pairBounds) float64 {
	var rest float64
	for ti, f := range found {
		unknown[ti] = !f
		if !f {
			rest += outside[ti]
		}
	}
	return (bm+pb.open(found, unknown))*prior*(1+boundMargin) + rest
}

// seedFloor keeps the k highest lower bounds of the entries the seed
// merged (the part of their score the lists tell exactly: the other words
// and pairs can only add), when every entry is visible to the asker: the
// k-th score is at least the lowest of them, so an entry whose bound is
// below it cannot enter and need not be kept.
type seedFloor struct {
	on   bool
	best bestOf[struct{}]
}

func (f *seedFloor) offer(bm, prior float64) {
	if f.on {
		f.best.add(bm*prior*(1-boundMargin), struct{}{})
	}
}

// below says whether a bound cannot reach the k-th score.
func (f *seedFloor) below(ub float64) bool {
	return f.on && len(f.best.items) == f.best.keep && ub < f.best.items[0].score
}
