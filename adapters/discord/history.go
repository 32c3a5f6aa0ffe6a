package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/bot"
)

var (
	_ bot.Historian  = (*Adapter)(nil)
	_ bot.PostFinder = (*Adapter)(nil)
)

// historyPage is how many messages one Get Channel Messages call asks for
// (Discord's maximum).
const historyPage = 100

// wireReactionCount is one entry of a message object's reactions: an emoji
// and how many reacted with it; Get Reactions names them.
type wireReactionCount struct {
	Count int       `json:"count"`
	Me    bool      `json:"me"`
	Emoji wireEmoji `json:"emoji"`
}

// wireHistoryMessage is a message object as Get Channel Messages returns it.
type wireHistoryMessage struct {
	wireMessage
	Reactions []wireReactionCount `json:"reactions"`
}

// messagesBefore reads one page of a channel's messages, newest first,
// older than the message before ("" for the newest). discordgo waits out
// 429s (retry_after) and keeps the route's bucket.
func (a *Adapter) messagesBefore(ctx context.Context, channel, before string, limit int) ([]wireHistoryMessage, error) {
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	if before != "" {
		q.Set("before", before)
	}
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointChannelMessages(channel)+"?"+q.Encode(), nil,
		discordgo.EndpointChannelMessages(channel), discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("get channel messages: %w", err)
	}
	var ws []wireHistoryMessage
	if err := json.Unmarshal(body, &ws); err != nil {
		return nil, fmt.Errorf("get channel messages: %w", err)
	}
	return ws, nil
}

// History reads one page (up to 100 messages) of a channel's history back
// to q.Since, and for each wanted emoji on a message the members who
// reacted with it (Get Reactions, paged by user ID). It is bot.Historian.
func (a *Adapter) History(ctx context.Context, q bot.HistoryQuery) (bot.HistoryPage, error) {
	page := bot.HistoryPage{Flat: true, Key: q.Channel.ID, Asks: map[string]bot.Ask{}}
	if q.Thread != "" {
		return page, nil // flat: every reply is on the channel's pages
	}
	// Mentions of the bot are found by its ID, which the session's READY
	// brings: a pass started before it (as Decode, wait) would read them
	// as plain messages and never answer them.
	select {
	case <-a.ready:
	case <-ctx.Done():
		return page, fmt.Errorf("waiting for the gateway: %w", ctx.Err())
	}
	if _, ok := a.st.channel(q.Channel.ID); !ok && q.Channel.Space != "" {
		a.fetchChannel(ctx, q.Channel.ID, q.Channel.Space)
	}
	ws, err := a.messagesBefore(ctx, q.Channel.ID, q.Before, historyPage)
	if err != nil {
		return page, err
	}
	for _, w := range ws {
		if w.GuildID == "" {
			w.GuildID = q.Channel.Space
		}
		m := toMessage(w.wireMessage, a.st)
		if m.Time.Before(q.Since) {
			return page, nil // the window starts here: no next page
		}
		page.Oldest = m.Time
		if w.Type != msgDefault && w.Type != msgReply {
			continue
		}
		for _, r := range w.Reactions {
			e := toEmoji(r.Emoji)
			if r.Count == 0 || q.Wanted == nil || !q.Wanted(e) {
				continue
			}
			users, err := a.reactors(ctx, w.ChannelID, w.ID, r.Emoji)
			if err != nil {
				return page, err
			}
			for _, u := range users {
				m.Reactions = append(m.Reactions, bot.Reaction{User: u, Emoji: e})
			}
		}
		if ask, ok := a.ask(w, m); ok {
			page.Asks[m.Ref.ID] = ask
			m.ToBot = ask.Via == bot.ViaMention
		}
		a.st.putMessage(m)
		page.Messages = append(page.Messages, m)
	}
	if len(ws) == historyPage {
		page.Next = ws[len(ws)-1].ID
	}
	return page, nil
}

// ask is the request a message read back makes of the bot, as
// translateCreate reads it live: a mention of the bot (or its role), or a
// member's message in a DM.
func (a *Adapter) ask(w wireHistoryMessage, m bot.Message) (bot.Ask, bool) {
	self := a.st.botUser()
	if self == "" || m.Author.ID == self || m.Author.Bot || w.WebhookID != "" {
		return bot.Ask{}, false
	}
	if text, mentioned := mentionText(w.wireMessage, self, a.st.botRole(w.GuildID)); mentioned {
		return bot.Ask{Text: text, Via: bot.ViaMention}, true
	}
	if m.Ref.Channel.Space == "" {
		return bot.Ask{Text: strings.TrimSpace(m.Text), Via: bot.ViaDM}, true
	}
	return bot.Ask{}, false
}

// reactors lists every member who reacted to a message with an emoji.
func (a *Adapter) reactors(ctx context.Context, channel, msg string, e wireEmoji) ([]bot.User, error) {
	id := e.Name
	if e.ID != "" {
		id = e.Name + ":" + e.ID
	}
	var out []bot.User
	after := ""
	for {
		us, err := a.s.MessageReactions(channel, msg, id, 100, "", after, discordgo.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("get reactions: %w", err)
		}
		for _, u := range us {
			name := u.Username
			if u.GlobalName != "" {
				name = u.GlobalName
			}
			out = append(out, bot.User{ID: u.ID, Name: name, Bot: u.Bot})
		}
		if len(us) < 100 {
			return out, nil
		}
		after = us[len(us)-1].ID
	}
}

// findPages bounds FindPost's reading: 20 pages of 100 messages, far more
// than a channel says during a digest lease.
const findPages = 20

// FindPost looks back through a channel's messages since a time for one the
// bot posted whose text holds contains: how a digest claimed by a process
// that died is found before it is posted again. It is bot.PostFinder.
func (a *Adapter) FindPost(ctx context.Context, ch bot.ChannelRef, since time.Time, contains string) (bot.MessageRef, bool, error) {
	self, err := a.selfID(ctx)
	if err != nil {
		return bot.MessageRef{}, false, err
	}
	before := ""
	for range findPages {
		ws, err := a.messagesBefore(ctx, ch.ID, before, historyPage)
		if err != nil {
			return bot.MessageRef{}, false, err
		}
		for _, w := range ws {
			at, err := time.Parse(time.RFC3339Nano, w.Timestamp)
			if err == nil && at.Before(since) {
				return bot.MessageRef{}, false, nil
			}
			if w.Author != nil && w.Author.ID == self && w.Content != nil && strings.Contains(*w.Content, contains) {
				return bot.MessageRef{Channel: ch, ID: w.ID}, true, nil
			}
		}
		if len(ws) < historyPage {
			return bot.MessageRef{}, false, nil
		}
		before = ws[len(ws)-1].ID
	}
	return bot.MessageRef{}, false, nil
}

// selfID is the bot's user ID: from READY once the gateway is up, else from
// the application (a digest may be checked before the gateway connects).
func (a *Adapter) selfID(ctx context.Context) (string, error) {
	if id := a.st.botUser(); id != "" {
		return id, nil
	}
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointApplication("@me"), nil,
		discordgo.EndpointApplication("@me"), discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: read application: %w", err)
	}
	var app struct {
		Bot *wireUser `json:"bot"`
	}
	if err := json.Unmarshal(body, &app); err != nil || app.Bot == nil || app.Bot.ID == "" {
		return "", fmt.Errorf("discord: read application: no bot user in Discord's answer")
	}
	return app.Bot.ID, nil
}
