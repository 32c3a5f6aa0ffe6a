package repertoire

// PostingScore is an entry's score computed from what a store's index
// keeps of it rather than from its text: per query term (in Terms' order)
// its positions in the question, answer and tags (for a prefix, every
// stem's together), the entry's field lengths and its prior's inputs. It
// is the computation Add makes from the text, in the same order, so equal
// postings give the same score to the last bit: a store prunes with it and
// hands Add the entries that can still enter the top k.
func (r *Recall) PostingScore(m [][3][]int32, lens [3]int, pr PriorInputs) float64 {
	sr := r.sr
	var bm float64
	for ti, t := range sr.terms {
		bm += TermScore(t.IDF, [3]int{len(m[ti][0]), len(m[ti][1]), len(m[ti][2])}, lens, sr.avg)
	}
	bm += Proximity(sr.pairs(), sr.terms, m)
	return bm * PriorOf(pr, sr.q.HowTo)
}
