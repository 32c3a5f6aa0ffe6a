package repertoire

import "sort"

// mostInformative keeps the n terms of a long question with the highest idf
// (the rarest in the index), in the question's order. A long chat question
// often opens with greetings and context and comes to its subject late:
// keeping its first n words would drop the subject, keeping its rarest keeps
// it. Ties keep the earlier word.
func mostInformative(terms []*qterm, n int) []*qterm {
	if len(terms) <= n {
		return terms
	}
	idx := make([]int, len(terms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return terms[idx[a]].idf > terms[idx[b]].idf })
	keep := idx[:n]
	sort.Ints(keep)
	out := make([]*qterm, n)
	for i, k := range keep {
		out[i] = terms[k]
	}
	return out
}
