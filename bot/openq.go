package bot

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Open questions are what a channel's digest asks its members to answer, so
// only a real question asked where the channel can see it becomes one: a
// question in form or intent with at least minOpenWords content words, not
// a search in filter syntax. A private ask (/ask, answered only to the
// asker), a DM (often a note to self) or a private channel's question never
// leaves its scope: the first two are not kept at all, the third only on
// that channel's own digest. An open question closes when an entry is saved
// from its thread, a later entry holds all of its content words, or its
// asker says a member's reply in its thread worked (thankedopen.go), and
// ages out of digests after repertoire.DefaultOpenFor.

// minOpenWords is how many content words a question needs to be listed.
const minOpenWords = 2

// intent matches requests that are questions without a question mark.
var intent = regexp.MustCompile(`(?i)\b(i need|we need|i'?m looking for|looking for|i want to know|trying to figure|trying to find|help me|help with|how to|is there a way)\b`)

// searchSyntax matches full-text and wildcard syntax: a query, not a question.
var searchSyntax = regexp.MustCompile(`(?i)\bNEAR\s*\(|\*|\b(AND|OR|NOT)\b\s*$`)

// IsRealQuestion reports whether text is a question worth listing for
// people to answer.
func IsRealQuestion(text string) bool {
	if hasFilter(text) || searchSyntax.MatchString(text) {
		return false
	}
	n := 0
	for _, w := range ContentWords(text) {
		if !salutations[w] {
			n++
		}
	}
	if n < minOpenWords {
		return false
	}
	return IsQuestion(text) || intent.MatchString(text)
}

// salutations are words that greet or hail a room ("good morning! how is
// everybody?"): they carry no topic, so they do not count towards the
// content words an open question needs.
var salutations = setOf("hi hey hello hiya yo howdy greetings morning afternoon evening everyone everybody folks guys all y'all")

// openQuestion decides what happens to a question recall found nothing
// for, and returns what the member is told.
func (b *Bot) openQuestion(ctx context.Context, ev Mentioned, question string) string {
	nothing := "I don't have anything on that yet."
	if elsewhere(ev, question) {
		// Said whether or not the channel exists or is private: the
		// answer must not tell which.
		nothing += " If that channel is private, its entries are found only by asking in it."
	}
	if note, _ := b.keepAsked(ctx, ev, question); note != "" {
		return nothing + " " + note
	}
	if b.noteToSelf(ev, question) {
		nothing += " To keep it as a note only you find here, react " + b.captureList() + " to your message."
	}
	return nothing
}

// noteToSelf reports whether a direct message that found nothing reads as
// something to remember rather than a question ("the staging vpn profile
// lives in 1password"): no question in form or intent, no filter, and
// more words than a keyword search has ("redis cache flush" is one).
func (b *Bot) noteToSelf(ev Mentioned, text string) bool {
	if ev.Via == ViaCommand || ev.Message.Ref.ID == "" || !b.inDM(ev) {
		return false
	}
	return !IsQuestion(text) && !intent.MatchString(text) && !hasFilter(text) && len(ContentWords(text)) >= noteWords
}

// noteWords is how many content words a direct message needs to read as a
// note rather than a search.
const noteWords = 4

// elsewhere reports whether question narrows recall to a channel other
// than the one it is asked in (in:#staff asked in #general or a DM), where
// a private channel's entries are never found.
func elsewhere(ev Mentioned, question string) bool {
	here := ev.Message.Ref.Channel.ID
	for _, in := range repertoire.ParseQuery(question).In {
		if !strings.EqualFold(in, here) && !strings.EqualFold(in, ev.Message.ChannelName) {
			return true
		}
	}
	return false
}

// keepAsked keeps a question nobody has answered as an open question when
// it qualifies, and returns what to tell the member about it ("" for
// nothing to say) and whether it was kept.
func (b *Bot) keepAsked(ctx context.Context, ev Mentioned, question string) (string, bool) {
	switch {
	case !IsRealQuestion(question):
		return "", false // listed nowhere, so nothing to say about where
	case ev.Via == ViaCommand && b.listedAlready(ctx, ev, question):
		return "You asked privately, and I keep that to myself; your question is listed already, from when you asked it with `@" + b.cfg.Name + "` here.", false
	case ev.Via == ViaCommand:
		return "You asked privately, so I kept your question to myself; ask it with `@" + b.cfg.Name + "` in a channel to have it listed as an open question.", false
	case ev.Via == ViaDM || b.direct(ev.Message.Ref.Channel):
		return "Questions in a direct message stay here: I don't list them anywhere.", false
	}
	from := ev.Message.Ref.Channel
	err := b.store.AddOpenQuestion(ctx, repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: from.Platform, Space: from.Space, ID: from.ID, Private: ev.Message.Private},
		MessageID: ev.Message.Ref.ID,
		Asker:     repertoire.Person{ID: ev.Message.Author.ID, Name: ev.Message.Author.Name},
		Text:      withoutThanks(strings.TrimSpace(question)),
		AskedAt:   askedAt(ev.Message, b.cfg.Now()),
	})
	if err != nil {
		b.log.WarnContext(ctx, "record open question", logErr, err)
		return "", false
	}
	where := "the next digest"
	if ev.Message.Private {
		where = "this channel's next digest (and nowhere else)"
	}
	return "I've noted it as an open question, so it will show up in " + where + " for someone who knows. When it's answered, react 💡 to the answer and I'll remember it.", true
}

// listedAlready reports whether the member who asked question by slash
// command has it listed as an open question of the channel already (asked
// with the bot's name before): telling them to ask it so would read as if
// it were not.
func (b *Bot) listedAlready(ctx context.Context, ev Mentioned, question string) bool {
	ch := ev.Message.Ref.Channel
	open, err := b.store.OpenQuestions(ctx, storeChannel(ch), b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		return false
	}
	asked := strings.Join(ContentWords(withoutThanks(question)), " ")
	for _, q := range open {
		if q.Asker.ID == ev.Message.Author.ID && strings.Join(ContentWords(q.Text), " ") == asked {
			return true
		}
	}
	return false
}

// openFor is how long open questions stay on digests.
func (b *Bot) openFor() time.Duration {
	if d := b.cfg.Digest.Limits.OpenFor; d > 0 {
		return d
	}
	return repertoire.DefaultOpenFor
}

// closeAnswered closes the open questions a new entry answers: the one
// asked by its thread's opening message, and those of its channel whose
// content words it holds, all of them.
func (b *Bot) closeAnswered(ctx context.Context, e repertoire.Entry) {
	ch := repertoire.Channel{Platform: e.Channel.Platform, Space: e.Channel.Space, ID: e.Channel.ID}
	open, err := b.store.OpenQuestions(ctx, ch, b.cfg.Now().Add(-b.openFor()))
	if err != nil {
		b.log.WarnContext(ctx, "close open questions: list", logEntry, e.ID, logErr, err)
		return
	}
	var ids []int64
	hit := []repertoire.Hit{{Entry: e}}
	for _, q := range open {
		if q.MessageID != "" && (q.MessageID == e.QuestionID || q.MessageID == e.ThreadID) {
			continue // closed by message below
		}
		if !IsRealQuestion(q.Text) {
			continue
		}
		if len(Relevant(q.Text, hit, Gate{Share: 1})) == 1 {
			ids = append(ids, q.ID)
		}
	}
	n, err := b.store.CloseOpenQuestions(ctx, ch, []string{e.QuestionID, e.ThreadID}, ids)
	if err != nil {
		b.log.WarnContext(ctx, "close open questions", logEntry, e.ID, logErr, err)
		return
	}
	if n > 0 {
		b.log.InfoContext(ctx, "open questions answered", logEntry, e.ID, "closed", n)
	}
}

// askedAt is when question m was asked: its post time when the platform
// gave one, else now. A forgotten member's question asked before the
// forget is not kept open again when its delivery is applied after it.
func askedAt(m Message, now time.Time) time.Time {
	if m.Time.IsZero() {
		return now
	}
	return m.Time
}
