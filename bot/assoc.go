package bot

import (
	"math"

	"github.com/repertoire/repertoire/repertoire"
)

// Word associations learned from the community's own saved question–answer
// pairs: a question's words and its answer's words are counted together
// (repertoire.Store.LearnAssociation), and a question key q goes with an
// answer key a by their pointwise mutual information, log(n(q,a)·N /
// (n_q(q)·n_a(a))), over the N pairs learned. A re-ranked candidate whose
// text holds words associated with the question's ("crashloop" with
// "restart") scores by the sum, over the question's keys, of the strongest
// association its text holds. Words the question itself holds are left to
// the other signals. What is learned grows with the repertoire: each public
// entry saved, and each entry a member found helpful, is one more pair.

const (
	// AssocQuestionKeys and AssocAnswerKeys bound how many keys of a saved
	// pair are counted (the first distinct ones): the cost of a save, about
	// 1 ms for 8 × 16 (go test ./repertoire -bench LearnAssociation).
	AssocQuestionKeys = 8
	AssocAnswerKeys   = 16
	// AssocPerKey is how many partners of each question key recall reads.
	AssocPerKey = 16
	// assocMinPairs: an association seen in fewer pairs is noise.
	assocMinPairs = 2
	// assocLookupKeys bounds the keys of a question recall looks up.
	assocLookupKeys = 32
)

// AssocKeys returns a text's keys as associations count them: content words,
// lower case, cut to five letters (as the re-ranker compares words),
// distinct, in order, at most n.
func AssocKeys(text string, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range appendWords(nil, text) {
		if seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == n {
			break
		}
	}
	return out
}

// LearnKeys returns what one saved question–answer pair teaches: the keys of
// its question and of its answer that are counted.
func LearnKeys(question, answer string) (q, a []string) {
	return AssocKeys(question, AssocQuestionKeys), AssocKeys(answer, AssocAnswerKeys)
}

// Assoc holds, for one question, the associations of its keys.
type Assoc struct {
	links map[string]map[string]float64 // question key → answer key → weight
}

// NewAssoc weighs counts (as Store.Associations or AssocCounts.For return
// them) into associations: positive PMI over pairs seen at least twice.
func NewAssoc(c repertoire.AssocCounts) *Assoc {
	m := &Assoc{links: map[string]map[string]float64{}}
	if c.Pairs == 0 {
		return m
	}
	n := float64(c.Pairs)
	for q, partners := range c.Both {
		for a, both := range partners {
			if both < assocMinPairs || a == q || c.Q[q] == 0 || c.A[a] == 0 {
				continue
			}
			pmi := math.Log(float64(both) * n / (float64(c.Q[q]) * float64(c.A[a])))
			if pmi <= 0 {
				continue
			}
			if m.links[q] == nil {
				m.links[q] = map[string]float64{}
			}
			m.links[q][a] = pmi
		}
	}
	return m
}

// Empty reports whether nothing is associated.
func (m *Assoc) Empty() bool { return m == nil || len(m.links) == 0 }

// score sums, over the question's keys, the strongest association the
// document's keys hold (the question's own words excluded).
func (m *Assoc) score(question, doc map[string]int) float64 {
	if m.Empty() {
		return 0
	}
	s := 0.0
	for q := range question {
		best := 0.0
		for a, w := range m.links[q] {
			if question[a] == 0 && doc[a] > 0 && w > best {
				best = w
			}
		}
		s += best
	}
	// A long text holds some partner of nearly every word: per word of it.
	return s / math.Log(2+float64(len(doc)))
}

// AssocExpansion returns up to n answer keys the question's keys are
// associated with and the question does not hold, by the sum of their
// associations over its keys, strongest first: words a second Search
// could add to reach entries that share no word with the question.
// Recall does not use it (cmd/recall-bench measures it on LiveChat's
// dialogs that share no indexed word with their opening; README).
func AssocExpansion(question string, m *Assoc, n int) []string {
	if m.Empty() || n <= 0 {
		return nil
	}
	q := wordCounts(question)
	weight := map[string]float64{}
	for k := range q {
		for a, w := range m.links[k] {
			if q[a] == 0 {
				weight[a] += w
			}
		}
	}
	return heaviest(weight, n)
}
