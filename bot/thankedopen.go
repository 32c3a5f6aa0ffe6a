package bot

import (
	"context"
	"regexp"
)

// An open question whose asker says, in its thread, that a member's reply
// worked ("thanks, that worked", "solved, thanks") is answered: listing it
// on the digest for "someone who knows" asks members to answer it again.
// It closes as it does when the answer is saved, though nothing is saved
// (a 💡 on the answer still keeps it; detection may suggest that). A bare
// "thanks" or "thanks, I'll try it" says nothing worked and keeps it open;
// so does a thanks that says it failed.

// workedText says that something worked, beyond a thanks.
var workedText = regexp.MustCompile(`(?i)\b(that (did it|worked|works|helped|fixed it|was it)|it works|(it|this) (worked|helped|did it)|works now|working now|did the trick|solved|fixed|perfect)\b`)

// closeThanked closes the open question m's thread opens when m is its
// asker's word that a member's reply in the thread worked.
func (b *Bot) closeThanked(ctx context.Context, m Message) {
	if m.ToBot || !IsConfirmation(m.Text) || !workedText.MatchString(m.Text) {
		return
	}
	b.closeConfirmed(ctx, m.Ref, m.Author)
}

// closeReacted closes the open question whose thread holds target when its
// asker reacts to a member's reply there with a confirming emoji (🙏, 👍,
// 🎉; ✅ saves it, which closes it too).
func (b *Bot) closeReacted(ctx context.Context, target MessageRef, u User, e Emoji) {
	if isConfirmEmoji(e) {
		b.closeConfirmed(ctx, target, u)
	}
}

// closeConfirmed closes the open question ref's thread opens, asked by
// asker, when the answer model's choice among the members' replies there
// is one the asker confirmed (by a reply or a reaction, as the message log
// holds them).
func (b *Bot) closeConfirmed(ctx context.Context, ref MessageRef, asker User) {
	m := Message{Ref: ref, Author: asker}
	if m.Ref.Thread == "" || m.Ref.Thread == m.Ref.ID {
		return
	}
	ch := storeChannel(m.Ref.Channel)
	open, err := b.store.OpenQuestions(ctx, ch, b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		b.log.WarnContext(ctx, "close a thanked question: list", logMessage, m.Ref.ID, logErr, err)
		return
	}
	asked := false
	for _, q := range open {
		if q.MessageID == m.Ref.Thread && q.Asker.ID == m.Author.ID && m.Author.ID != "" {
			asked = true
			break
		}
	}
	if !asked {
		return
	}
	conv, err := b.conversation(ctx, m.Ref)
	if err != nil || len(conv) < 2 {
		return
	}
	if c := ChooseAnswer(conv[0], conv[1:], b.cfg.Name); c.Index < 0 || !c.Confirmed {
		return
	}
	if _, err := b.store.CloseOpenQuestions(ctx, ch, []string{m.Ref.Thread}, nil); err != nil {
		b.log.WarnContext(ctx, "close a thanked question", logMessage, m.Ref.ID, logErr, err)
		return
	}
	b.log.InfoContext(ctx, "open question answered in its thread", logMessage, m.Ref.Thread)
}
