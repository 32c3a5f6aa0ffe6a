package repertoire

import (
	"sort"
)

// MostInformative keeps the n terms of a long question with the highest idf
// (the rarest in the index), in the question's order. A long chat question
// often opens with greetings and context and comes to its subject late:
// keeping its first n words would drop the subject, keeping its rarest keeps
// it. Ties keep the earlier word.
func MostInformative(terms []*QueryTerm, n int) []*QueryTerm {
	if len(terms) <= n {
		return terms
	}
	idx := make([]int, len(terms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return terms[idx[a]].IDF > terms[idx[b]].IDF })
	keep := idx[:n]
	sort.Ints(keep)
	out := make([]*QueryTerm, n)
	for i, k := range keep {
		out[i] = terms[k]
	}
	return out
}
