package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// When no entry passes recall's gate (two of the question's content words),
// one that holds fewer may still be what the member is after: "how do I
// roll back a commit?" shares only "commit" with "How do I undo the last
// git commit but keep the changes?". Such an entry is shown apart, labelled
// as possibly related, never as an answer, and the question is still kept
// open (cmd/recall-bench -filler: such an entry is the right one about a
// third of the time).

// RelatedRule is the weaker bar of an entry shown as possibly related.
type RelatedRule struct {
	// Gate is what the entry must pass (fewer words than DefaultGate).
	Gate Gate
	// KnownShare, when above zero, is the least share of the question's
	// known weight the entry's matched content words must carry: each word
	// weighs its idf over the entries, and a word no entry holds weighs
	// nothing, since nothing could match it.
	KnownShare float64
	// KnownWords, when above zero, is the least share of the question's
	// content words that some entry holds: a question most of whose
	// words the repertoire has never seen is about something it does not
	// hold, however well its one known word matches.
	KnownWords float64
}

// DefaultRelated is the rule recall applies: one content word, carrying
// at least half of the weight of the question's words the repertoire
// knows (the matched words outweigh the missing ones), in a question at
// least half of whose content words the repertoire knows. Without that
// last part, "how do I rotate the staging certificate?" asked of a young
// repertoire that knows only "staged" from a git tip got the git tip.
var DefaultRelated = RelatedRule{Gate: Gate{Words: 1}, KnownShare: 0.5, KnownWords: 0.5}

// Weights gives each content word of a question its idf over the store's
// entries (0 for a word no entry holds), for RelatedRule.KnownShare.
func Weights(ctx context.Context, store repertoire.Store, question string) (map[string]float64, error) {
	words := ContentWords(question)
	df, n, err := store.DocFrequencies(ctx, words)
	if err != nil {
		return nil, fmt.Errorf("content word weights: %w", err)
	}
	w := make(map[string]float64, len(words))
	for _, word := range words {
		if d := df[word]; d > 0 {
			w[word] = repertoire.IdfOf(float64(n), float64(d))
		}
	}
	return w, nil
}

// Related returns the first hit, in ranking order, that the rule admits,
// for a question of two content words or more whose hits pass DefaultGate
// nowhere; nil otherwise. weights (Weights) is read only when the rule
// has a KnownShare.
func Related(question string, hits []repertoire.Hit, r RelatedRule, weights map[string]float64) []repertoire.Hit {
	words := ContentWords(question)
	if len(words) < 2 || len(Relevant(question, hits, DefaultGate)) > 0 {
		return nil
	}
	var known float64
	nKnown := 0
	for _, w := range words {
		known += weights[w]
		if weights[w] > 0 {
			nKnown++
		}
	}
	if float64(nKnown) < r.KnownWords*float64(len(words)) {
		return nil
	}
	for _, h := range Relevant(question, hits, r.Gate) {
		if r.KnownShare <= 0 {
			return []repertoire.Hit{h}
		}
		ws := newWordSet(h.Question, h.Answer, strings.Join(h.Tags, " "))
		var matched float64
		for _, w := range words {
			if ws.has(w) {
				matched += weights[w]
			}
		}
		if known > 0 && matched >= r.KnownShare*known {
			return []repertoire.Hit{h}
		}
	}
	return nil
}

// replyRelated answers a question nothing answers squarely with the entry
// that may be related, labelled so; the question is kept open as when
// there is nothing, since such an entry is often not the answer.
func (b *Bot) replyRelated(ctx context.Context, ev Mentioned, question string, related []repertoire.Hit) error {
	doc := RecallDoc(fmt.Sprintf("Nothing in the repertoire answers “%s” squarely. This one is possibly related:", oneLine(question, 80)), related)
	note, kept := b.keepAsked(ctx, ev, question)
	if kept {
		note += " If the entry above answers it, say it helped and I'll take the question off the list."
	}
	if note != "" {
		doc.Blocks = append(doc.Blocks, Para(T(note)))
	}
	ref, err := b.replyDoc(ctx, ev, doc)
	if err != nil {
		return err
	}
	b.recordRecall(ctx, ref, related)
	return nil
}

// related is what recall shows when nothing passes its gate (DefaultRelated);
// recall asks only then.
func (b *Bot) related(ctx context.Context, question string, hits []repertoire.Hit) []repertoire.Hit {
	if len(ContentWords(question)) < 2 {
		return nil // no weaker bar: no weights to read
	}
	w, err := Weights(ctx, b.store, question)
	if err != nil {
		b.log.WarnContext(ctx, "recall: possibly related", logErr, err)
		return nil
	}
	return Related(question, hits, DefaultRelated, w)
}
