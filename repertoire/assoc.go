package repertoire

import (
	"sort"
)

// AssocCounts are the counts word associations are computed from: learned
// question–answer pairs, and per word key how many pairs hold it in their
// question (Q), in their answer (A), and per question key and answer key
// how many hold both (Both). Keys are whatever the caller learned (the bot
// uses lower-case words cut to five letters).
type AssocCounts struct {
	Pairs int
	Q     map[string]int
	A     map[string]int
	Both  map[string]map[string]int
}

// NewAssocCounts returns empty counts, to learn pairs in memory (an
// evaluation's training folds) the way the store learns them.
func NewAssocCounts() *AssocCounts {
	return &AssocCounts{Q: map[string]int{}, A: map[string]int{}, Both: map[string]map[string]int{}}
}

// Add counts one pair given by the distinct keys of its question and answer.
func (c *AssocCounts) Add(question, answer []string) {
	question, answer = DistinctKeys(question), DistinctKeys(answer)
	if len(question) == 0 || len(answer) == 0 {
		return
	}
	c.Pairs++
	for _, a := range answer {
		c.A[a]++
	}
	for _, q := range question {
		c.Q[q]++
		m := c.Both[q]
		if m == nil {
			m = map[string]int{}
			c.Both[q] = m
		}
		for _, a := range answer {
			m[a]++
		}
	}
}

// For returns the counts a question with these keys needs, as the store's
// Associations does: each key's own counts and, per key, its perKey most
// frequent partners (ties by key) with their answer-side counts.
func (c *AssocCounts) For(keys []string, perKey int) AssocCounts {
	out := AssocCounts{Pairs: c.Pairs, Q: map[string]int{}, A: map[string]int{}, Both: map[string]map[string]int{}}
	for _, k := range DistinctKeys(keys) {
		if n := c.Q[k]; n > 0 {
			out.Q[k] = n
		}
		if n := c.A[k]; n > 0 {
			out.A[k] = n
		}
		var partners []string
		for a := range c.Both[k] {
			partners = append(partners, a)
		}
		sort.Slice(partners, func(i, j int) bool {
			ni, nj := c.Both[k][partners[i]], c.Both[k][partners[j]]
			return ni > nj || ni == nj && partners[i] < partners[j]
		})
		if len(partners) > perKey {
			partners = partners[:perKey]
		}
		if len(partners) > 0 {
			out.Both[k] = map[string]int{}
		}
		for _, a := range partners {
			out.Both[k][a] = c.Both[k][a]
			out.A[a] = c.A[a]
		}
	}
	return out
}

// MaxAssocKeys bounds what one learned pair or one lookup may touch.
const MaxAssocKeys = 64

func DistinctKeys(keys []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if k == "" || len(k) > 64 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		if len(out) == MaxAssocKeys {
			break
		}
	}
	return out
}
