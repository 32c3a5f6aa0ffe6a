package bot

import (
	"context"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// learnFrom counts an entry's question and answer as one more pair the word
// associations learn from (assoc.go): called when a member saves a new
// entry, and again when a member finds it helpful. Only public entries
// with a question teach: what a private channel says must not shape the
// order of anyone else's recall. A failure costs only this pair, so it is
// logged, not returned. The store takes the pair back when the entry is
// deleted, changes or becomes private (a forgotten member's entries too).
func (b *Bot) learnFrom(ctx context.Context, e repertoire.Entry) {
	if e.Channel.Private || strings.TrimSpace(e.Question) == "" || strings.TrimSpace(e.Answer) == "" {
		return
	}
	q, a := LearnKeys(e.Question, e.Answer)
	if err := b.store.LearnAssociation(ctx, e.ID, q, a); err != nil {
		b.log.WarnContext(ctx, "learn word associations", logEntry, e.ID, logErr, err)
	}
}

// learnHelpful learns again from an entry a member found helpful.
func (b *Bot) learnHelpful(ctx context.Context, id int64) {
	e, err := b.store.Entry(ctx, id)
	if err != nil {
		b.log.WarnContext(ctx, "learn word associations", logEntry, id, logErr, err)
		return
	}
	b.learnFrom(ctx, e)
}

// associations reads what the repertoire has learned about the question's
// words; nil (no associations) when recall does not weigh them or the read
// fails (recall goes on without them).
func (b *Bot) associations(ctx context.Context, question string) *Assoc {
	if DefaultRerank.Assoc == 0 && DefaultRerank.Learned == 0 { // the learned model reads them as a feature
		return nil
	}
	c, err := b.store.Associations(ctx, AssocKeys(question, assocLookupKeys), AssocPerKey)
	if err != nil {
		b.log.WarnContext(ctx, "read word associations", logErr, err)
		return nil
	}
	return NewAssoc(c)
}
