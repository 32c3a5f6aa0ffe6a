package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Ask is what a message read back by catch-up asks of the bot, when it
// addresses it: the request with the bot's mention removed, and how the
// bot was addressed (ViaMention, or ViaDM for a direct message).
type Ask struct {
	Text string
	Via  Via
}

// DefaultMentionWindow is how old a request made while the bot was down
// may be and still be answered when catch-up finds it. A question asked a
// few hours ago is likely still open; one from yesterday has most often
// been answered by someone, or given up on, and a reply then is noise.
const DefaultMentionWindow = 6 * time.Hour

// maxLateAnswers bounds the requests one pass answers in a channel (the
// newest first): a long outage must not end in a burst of posts.
const maxLateAnswers = 10

// maxOldThreads bounds the threads older than the window whose recent
// replies one pass reads back in a channel (the most recently active
// first): each is one paced conversations.replies call, and at Slack's
// one read a minute ten threads take ten minutes.
const maxOldThreads = 10

// lateNote is the delay after which a late answer says it is late: a
// minute's wait needs no apology, an hour's does.
const lateNote = 2 * time.Minute

// ask emits the request of a message found by catch-up that the bot never
// saw (pm, already emitted as posted): a mention or a DM made while the bot
// was down, answered once, late, when it is recent enough. Its delivery ID
// is the message's, so a second pass, a resumed one or another replica
// commits it once; and the core keys the answer by the message too
// (answeredKey), so a live delivery of the same mention is not answered a
// second time.
func (c *CatchUp) ask(e *emitter, pass time.Time, page HistoryPage, pm Message, st *CatchUpStats) {
	a, ok := page.Asks[pm.Ref.ID]
	if !ok || pm.Author.Bot || c.opts.Mentions < 0 {
		return
	}
	if pass.Sub(pm.Time) > c.opts.Mentions {
		st.Unanswered++
		return
	}
	if st.Mentions >= maxLateAnswers {
		st.Unanswered++
		return
	}
	id := catchUpID(e.ref, "mention", pm.Ref.ID)
	st.Mentions++
	m := pm
	m.ToBot = a.Via == ViaMention
	e.emit(id, Mentioned{ID: id, Message: m, Text: a.Text, Via: a.Via, Late: true})
}

// feedback compares the 👍/👎 on one of the bot's own posts with what the
// store holds for it (votes; nil when the post is no recall answer the
// store knows in the window) and emits what differs: a vote given while
// the bot was down is added, one taken back is removed, as the live
// reaction events would have.
func (c *CatchUp) feedback(e *emitter, passKey string, m Message, votes *repertoire.AnswerFeedback, st *CatchUpStats) {
	type vote struct {
		user    string
		helpful bool
	}
	now := map[vote]bool{}
	for _, r := range m.Reactions {
		helpful, ok := feedbackEmoji(r.Emoji)
		if !ok || r.User.Bot || r.User.ID == "" {
			continue
		}
		v := vote{r.User.ID, helpful}
		if now[v] {
			continue
		}
		now[v] = true
		if votes == nil {
			// Not a recall answer the store knows (a digest, a help
			// text): the core would ignore it.
			continue
		}
		if (helpful && containsString(votes.Helpful, v.user)) || (!helpful && containsString(votes.NotIt, v.user)) {
			continue // held already
		}
		st.Added++
		id := catchUpID(e.ref, "feedback", passKey, m.Ref.ID, r.User.ID, emojiKey(r.Emoji))
		e.emit(id, ReactionAdded{ID: id, Target: m.Ref, User: r.User, Emoji: r.Emoji, Private: m.Private, At: m.Time})
	}
	if votes == nil {
		return
	}
	for _, held := range []struct {
		users   []string
		helpful bool
		emoji   Emoji
	}{{votes.Helpful, true, Emoji{Unicode: "👍", Shortcode: "+1"}}, {votes.NotIt, false, Emoji{Unicode: "👎", Shortcode: "-1"}}} {
		for _, u := range held.users {
			if now[vote{u, held.helpful}] {
				continue
			}
			st.Removed++
			id := catchUpID(e.ref, "unfeedback", passKey, m.Ref.ID, u, held.emoji.Shortcode)
			e.emit(id, ReactionRemoved{ID: id, Target: m.Ref, User: User{ID: u}, Emoji: held.emoji, Private: m.Private})
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// oldThreads reads back the replies posted in the window in threads whose
// opening message is older than the window (so the channel's pages never
// list it) but which the log saw replies in lately: a 💡 on a recent reply
// to an old question, or replies made while the bot was down. Only for a
// platform whose pages list replies with their thread (Slack); at most
// maxOldThreads, the most recently active first. A thread that cannot be
// read is skipped (its replies are then not judged for deletes).
func (c *CatchUp) oldThreads(ctx context.Context, h Historian, ch *repertoire.CatchUpChannel, e *emitter, pass, since time.Time,
	byID map[string]repertoire.LoggedMessage, found, threads map[string]bool, st *CatchUpStats) error {
	cands, err := c.store.ActiveThreads(ctx, ch.Channel, pass.Add(-max(channelActivity, c.opts.Window)), 4*maxOldThreads)
	if err != nil {
		return fmt.Errorf("catch-up %s: %w", ch.Channel.ID, err)
	}
	read := 0
	for _, root := range cands {
		if read >= maxOldThreads {
			break
		}
		if threads[root] {
			continue // read with its opening message, on a page
		}
		if l, ok := byID[root]; ok && !l.At.Before(since) {
			continue // its opening is in the window: a page listed it (or it is gone)
		}
		read++
		page, err := h.History(ctx, HistoryQuery{Channel: e.ref, Since: since, Thread: root, Wanted: c.wanted})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.log.WarnContext(ctx, "catch-up could not read an older thread; skipped", logChannel, ch.Channel.ID, "thread", root, logErr, err)
			continue
		}
		st.Pages++
		st.Threads++
		c.diff(e, pass, since, page, byID, found, threads, st)
	}
	return nil
}

// lateDoc opens a late answer with a line saying why it is late, when the
// wait was long enough for the member to wonder.
func (b *Bot) lateDoc(ev Mentioned, doc Doc) Doc {
	if !ev.Late || ev.Message.Time.IsZero() {
		return doc
	}
	wait := b.cfg.Now().Sub(ev.Message.Time)
	if wait < lateNote {
		return doc
	}
	note := Para(T("Sorry for the wait: I was offline when you asked, " + roughly(wait) + " ago."))
	doc.Blocks = append([]Block{note}, doc.Blocks...)
	return doc
}

// roughly says a duration as a member would: "5 minutes", "3 hours", "2 days".
func roughly(d time.Duration) string {
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d < time.Hour:
		return unit(max(1, int(d.Round(time.Minute)/time.Minute)), "minute")
	case d < 48*time.Hour:
		return unit(int(d.Round(time.Hour)/time.Hour), "hour")
	}
	return unit(int(d.Round(24*time.Hour)/(24*time.Hour)), "day")
}

// answeredKey names what a request is about, for answering it once: the
// message that asked (a mention or a DM), however many deliveries carry it
// (Slack's retries, catch-up after downtime, another replica's catch-up).
// Commands have no such message: "" (their delivery ID is the key).
func answeredKey(ev Mentioned) string {
	ref := ev.Message.Ref
	if ev.Via == ViaCommand || ref.ID == "" {
		return ""
	}
	return messageKey("answered", ref)
}

// messageKey names something done once about a message (and, for extra,
// once per member): kind, then the message's platform, space, channel and
// ID, then extra, joined by "/".
func messageKey(kind string, ref MessageRef, extra ...string) string {
	parts := append([]string{ref.Channel.Platform, ref.Channel.Space, ref.Channel.ID, ref.ID}, extra...)
	return kind + ":" + strings.Join(parts, "/")
}
