package bot

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// Tags for every entry: the #hashtags members wrote (saveParams), and apart
// from them the few terms that set the entry apart from the rest of the
// repertoire: frequent in the exchange, rare in the store (tf-idf). The
// channel is not a tag: it is a field of its own, with its own filter (in:#).

// distinctiveTags is how many terms an entry is tagged with.
const distinctiveTags = 3

// addTags adds the distinctive terms of the exchange to params.Terms (kept
// apart from the members' tags: they are cleared when the text they came
// from changes or is forgotten). Looking up the store's vocabulary can fail
// without failing the save: the entry then has no terms.
func (b *Bot) addTags(ctx context.Context, p *repertoire.SaveParams) {
	p.Terms = b.terms(ctx, p.Question+"\n"+p.Answer)
}

// terms returns the distinctive terms of text against the store's vocabulary.
func (b *Bot) terms(ctx context.Context, text string) []string {
	cands := candidateTerms(text, 12)
	if len(cands) == 0 {
		return nil
	}
	words := make([]string, len(cands))
	for i, c := range cands {
		words[i] = c.term
	}
	df, total, err := b.store.DocFrequencies(ctx, words)
	if err != nil {
		b.log.WarnContext(ctx, "tag: document frequencies", logErr, err)
		return nil
	}
	return DistinctiveTerms(text, df, total, distinctiveTags)
}

// retag gives the entry saved from an edited message terms from its new text.
func (b *Bot) retag(ctx context.Context, ref MessageRef) {
	e, err := b.store.EntryBySource(ctx, source(ref))
	if err != nil {
		return // not an entry's answer: nothing to retag
	}
	if _, err := b.store.SetEntryTerms(ctx, e.ID, b.terms(ctx, e.Question+"\n"+e.Answer)); err != nil {
		b.log.WarnContext(ctx, "retag edited entry", logEntry, e.ID, logErr, err)
	}
}

// retagEdit updates the #hashtags of the entries (as they were before the
// edit) that hold the edited message: a tag the edit added is added, one it removed is
// removed, and tags given another way (the save command's) stay.
func (b *Bot) retagEdit(ctx context.Context, held []repertoire.Entry, ref MessageRef, after string) {
	for _, e := range held {
		before := e.Answer
		if e.SourceID != ref.ID {
			before = e.Question
		}
		added, removed := Hashtags(after), Hashtags(before)
		added, removed = without(added, removed), without(removed, added)
		if len(added) == 0 && len(removed) == 0 {
			continue
		}
		tags := append(without(e.Tags, removed), added...)
		if _, err := b.store.SetEntryTags(ctx, e.ID, tags); err != nil {
			b.log.WarnContext(ctx, "retag edited entry", logEntry, e.ID, logErr, err)
		}
	}
}

// without returns the items of a not in b.
func without(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

type termCount struct {
	term  string
	n     int
	first int
}

// candidateTerms counts the words of text worth tagging with (three letters
// or more, not a stop word, not a number, outside links), most frequent
// first, then in order of appearance; at most limit.
func candidateTerms(text string, limit int) []termCount {
	text = urlPattern.ReplaceAllString(text, " ")
	text = hashtag.ReplaceAllString(text, " ") // hashtags are tags already
	counts := map[string]*termCount{}
	var order []*termCount
	pos := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '-' && r != '_'
	}) {
		w = strings.Trim(w, "-_")
		if len([]rune(w)) < 3 || len(w) > 30 || !hasLetter(w) || len(repertoire.Terms(w)) == 0 || plainWords[w] {
			continue
		}
		c, ok := counts[w]
		if !ok {
			c = &termCount{term: w, first: pos}
			counts[w] = c
			order = append(order, c)
		}
		c.n++
		pos++
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].n > order[j].n })
	if len(order) > limit {
		order = order[:limit]
	}
	out := make([]termCount, len(order))
	for i, c := range order {
		out[i] = *c
	}
	return out
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// DistinctiveTerms returns up to n terms of text that set it apart: term
// frequency in text times inverse document frequency in the repertoire
// (df[term] of total entries). With an empty repertoire every term is rare
// and frequency decides. Terms in most entries are never distinctive.
func DistinctiveTerms(text string, df map[string]int, total, n int) []string {
	type scored struct {
		term  string
		score float64
		first int
	}
	var all []scored
	for _, c := range candidateTerms(text, 12) {
		d := df[c.term]
		if total >= 10 && float64(d) > 0.5*float64(total) {
			continue
		}
		idf := math.Log(float64(total+1)/float64(d+1)) + 1
		all = append(all, scored{c.term, float64(c.n) * idf, c.first})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].first < all[j].first
	})
	var out []string
	for _, s := range all {
		if len(out) == n {
			break
		}
		out = append(out, s.term)
	}
	return out
}
