package bot

import (
	"context"

	"github.com/repertoire/repertoire/repertoire"
)

// closeHelped closes the open question a recall answer replied to, once a
// member says one of its entries helped: the question (kept open when the
// answer was only possibly related) is answered, and the digest no longer
// asks for it. The answer sits in the question's thread; a platform that
// does not say which thread a pressed message is in (Discord) closes
// nothing here. A failure is logged: the verdict is recorded already.
func (b *Bot) closeHelped(ctx context.Context, answer MessageRef) {
	root := answer.Root()
	if root.ID == answer.ID {
		return
	}
	ch := answer.Channel
	n, err := b.store.CloseOpenQuestions(ctx, repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}, []string{root.ID}, nil)
	if err != nil {
		b.log.WarnContext(ctx, "close the open question an answer helped", logMessage, root.ID, logErr, err)
	} else if n > 0 {
		b.log.InfoContext(ctx, "open question closed: an entry helped", logMessage, root.ID)
	}
}
