package slack

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/bot"
)

var _ bot.Historian = (*Adapter)(nil)

// historyLimit is the page size asked of conversations.history and
// conversations.replies; Slack may return fewer (15 for new
// non-Marketplace apps), and the adapter follows what it gets.
const historyLimit = 200

// History reads one page of a channel's history back to q.Since with
// conversations.history, and the replies of each thread on it with
// conversations.replies, every call spaced by ReadInterval and waiting out
// 429s (Retry-After). Reactions come with the messages. It is
// bot.Historian; messages read go into the cache that answers captures.
func (a *Adapter) History(ctx context.Context, q bot.HistoryQuery) (bot.HistoryPage, error) {
	page := bot.HistoryPage{Key: q.Channel.Space + "/" + q.Channel.ID}
	if a.removed(q.Channel.Space) {
		return page, ErrRemoved
	}
	if q.Thread != "" {
		// An older thread's recent replies (its parent is outside the
		// window): one conversations.replies read from q.Since.
		replies, err := a.replies(ctx, q, q.Thread, a.private(ctx, q.Channel.ID))
		if err != nil {
			return page, err
		}
		page.Messages, page.Threads = replies, []string{q.Thread}
		page.Asks = a.asks(q.Channel, page.Messages)
		return page, nil
	}
	params := &slack.GetConversationHistoryParameters{ChannelID: q.Channel.ID, Oldest: slackTS(q.Since), Latest: q.Before, Limit: historyLimit}
	var h *slack.GetConversationHistoryResponse
	err := a.retry(ctx, func() error {
		if err := a.reads.wait(ctx, "reads"); err != nil {
			return err
		}
		var err error
		h, err = a.api.GetConversationHistoryContext(ctx, params)
		return err
	})
	if err != nil {
		return page, fmt.Errorf("conversations.history: %w", err)
	}
	private := a.private(ctx, q.Channel.ID)
	for _, m := range h.Messages {
		bm := a.historyMessage(ctx, m, q, private)
		if bm.Time.Before(q.Since) {
			continue
		}
		page.Oldest = bm.Time
		page.Messages = append(page.Messages, bm)
		if m.ReplyCount > 0 && (m.ThreadTimestamp == "" || m.ThreadTimestamp == m.Timestamp) {
			replies, err := a.replies(ctx, q, m.Timestamp, private)
			if err != nil {
				return page, err
			}
			page.Messages = append(page.Messages, replies...)
			page.Threads = append(page.Threads, m.Timestamp)
		}
	}
	if h.HasMore && len(h.Messages) > 0 {
		page.Next = h.Messages[len(h.Messages)-1].Timestamp
	}
	page.Asks = a.asks(q.Channel, page.Messages)
	return page, nil
}

// asks are the requests to the bot among messages read back, as the live
// translation reads them: a message mentioning the bot (app_mention), or
// any member's message in a DM with it.
func (a *Adapter) asks(ch bot.ChannelRef, msgs []bot.Message) map[string]bot.Ask {
	out := map[string]bot.Ask{}
	for _, m := range msgs {
		switch {
		case m.Author.Bot || a.self == "":
		case a.Direct(ch):
			out[m.Ref.ID] = bot.Ask{Text: stripMention(m.Text, a.self), Via: bot.ViaDM}
		case m.ToBot:
			out[m.Ref.ID] = bot.Ask{Text: stripMention(m.Text, a.self), Via: bot.ViaMention}
		}
	}
	return out
}

// replies reads a thread's replies (its parent left out), page by page.
func (a *Adapter) replies(ctx context.Context, q bot.HistoryQuery, root string, private bool) ([]bot.Message, error) {
	var out []bot.Message
	cursor := ""
	for {
		var (
			msgs []slack.Message
			more bool
			next string
		)
		err := a.retry(ctx, func() error {
			if err := a.reads.wait(ctx, "reads"); err != nil {
				return err
			}
			var err error
			msgs, more, next, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: q.Channel.ID, Timestamp: root, Cursor: cursor, Limit: historyLimit, Oldest: slackTS(q.Since)})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("conversations.replies: %w", err)
		}
		for _, m := range msgs {
			if m.Timestamp != root && !tsTime(m.Timestamp).Before(q.Since) {
				out = append(out, a.historyMessage(ctx, m, q, private))
			}
		}
		if !more || next == "" {
			return out, nil
		}
		cursor = next
	}
}

// historyMessage is a message read back, with its author's name and the
// members behind each wanted reaction, cached for captures.
func (a *Adapter) historyMessage(ctx context.Context, m slack.Message, q bot.HistoryQuery, private bool) bot.Message {
	bm := message(inner{User: m.User, BotID: m.BotID, Subtype: m.SubType, Username: m.Username, Text: m.Text, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp}, q.Channel, a.self)
	bm.Private = private
	if !bm.Author.Bot {
		bm.Author.Name = a.name(ctx, bm.Author)
	}
	for _, r := range m.Reactions {
		e := bot.Emoji{Shortcode: normalizeReaction(r.Name)}
		if q.Wanted == nil || !q.Wanted(e) {
			continue
		}
		for _, u := range r.Users {
			user := bot.User{ID: u, Bot: u == a.self}
			if !user.Bot {
				user.Name = a.name(ctx, user)
			}
			bm.Reactions = append(bm.Reactions, bot.Reaction{User: user, Emoji: e})
		}
	}
	a.cache.put(bm)
	return bm
}

// slackTS writes a time as a Slack ts.
func slackTS(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}
