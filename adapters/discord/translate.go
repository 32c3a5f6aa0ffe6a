package discord

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// platformName is ChannelRef.Platform for Discord.
const platformName = "discord"

// The wire shapes below follow Discord's documented gateway payloads; only
// the fields the adapter reads are declared.

type wireUser struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name"`
	Bot        bool   `json:"bot"`
}

type wireMember struct {
	User *wireUser `json:"user"`
	Nick string    `json:"nick"`
}

type wireRef struct {
	MessageID string `json:"message_id"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id"`
}

type wireMessage struct {
	ID                string       `json:"id"`
	ChannelID         string       `json:"channel_id"`
	GuildID           string       `json:"guild_id"`
	Type              int          `json:"type"`
	Content           *string      `json:"content"`
	Author            *wireUser    `json:"author"`
	Member            *wireMember  `json:"member"`
	Timestamp         string       `json:"timestamp"`
	Mentions          []wireUser   `json:"mentions"`
	MentionRoles      []string     `json:"mention_roles"`
	MessageReference  *wireRef     `json:"message_reference"`
	ReferencedMessage *wireMessage `json:"referenced_message"`
	WebhookID         string       `json:"webhook_id"`
}

// wireRole is a guild role; a bot's managed role names the bot in its tags.
type wireRole struct {
	ID   string `json:"id"`
	Tags *struct {
		BotID string `json:"bot_id"`
	} `json:"tags"`
}

type wireEmoji struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireReaction struct {
	UserID    string      `json:"user_id"`
	ChannelID string      `json:"channel_id"`
	MessageID string      `json:"message_id"`
	GuildID   string      `json:"guild_id"`
	Member    *wireMember `json:"member"`
	Emoji     wireEmoji   `json:"emoji"`
}

// Message types that carry what members wrote: DEFAULT and REPLY. The rest
// are system notices (joins, pins, thread created…).
const (
	msgDefault = 0
	msgReply   = 19
)

// lookup is what translation needs beyond the payload: the channels the
// gateway described and the messages already seen. Translation only reads it.
type lookup interface {
	channel(id string) (channelInfo, bool)
	message(id string) (bot.Message, bool)
	botRole(guild string) string
}

// Link is a message's jump link.
func Link(guild, channel, message string) string {
	if guild == "" {
		guild = "@me"
	}
	return "https://discord.com/channels/" + guild + "/" + channel + "/" + message
}

func userOf(u *wireUser, m *wireMember) bot.User {
	if u == nil && m != nil {
		u = m.User
	}
	if u == nil {
		return bot.User{}
	}
	name := u.Username
	if u.GlobalName != "" {
		name = u.GlobalName
	}
	if m != nil && m.Nick != "" {
		name = m.Nick
	}
	return bot.User{ID: u.ID, Name: name, Bot: u.Bot}
}

// channelRef resolves where a message lives: its channel, the guild, the
// thread key for messages in a thread channel, and visibility. A guild
// channel the adapter does not know is private: nothing leaks by default.
func channelRef(look lookup, guild, channel string) (bot.ChannelRef, channelInfo) {
	c, ok := look.channel(channel)
	if !ok {
		c = channelInfo{ID: channel, Guild: guild, Private: true}
	}
	if guild == "" {
		guild = c.Guild
	}
	if guild == "" {
		c.Private = true
	}
	return bot.ChannelRef{Platform: platformName, Space: guild, ID: channel}, c
}

// toMessage translates a message object. The thread of a message is the
// thread channel's ID for a message in a thread (Discord gives a thread the
// ID of the message that started it) or, for a reply, the root of the chain
// of replies it answers.
func toMessage(w wireMessage, look lookup) bot.Message {
	ch, info := channelRef(look, w.GuildID, w.ChannelID)
	ref := bot.MessageRef{Channel: ch, ID: w.ID}
	switch {
	case info.isThread():
		ref.Thread = info.ID
	case w.MessageReference != nil && w.MessageReference.MessageID != "" && w.Type == msgReply:
		root := w.MessageReference.MessageID
		if parent, ok := look.message(root); ok && parent.Ref.Thread != "" {
			root = parent.Ref.Thread
		} else if p := w.ReferencedMessage; p != nil && p.MessageReference != nil && p.Type == msgReply && p.MessageReference.MessageID != "" {
			root = p.MessageReference.MessageID
		}
		ref.Thread = root
	}
	m := bot.Message{
		Ref:         ref,
		Author:      userOf(w.Author, w.Member),
		Link:        Link(ch.Space, w.ChannelID, w.ID),
		ChannelName: info.Name,
		Private:     info.Private,
	}
	if w.Content != nil {
		m.Text = *w.Content
	}
	if t, err := time.Parse(time.RFC3339Nano, w.Timestamp); err == nil {
		m.Time = t.UTC()
	}
	return m
}

// mentionText reports whether content addresses the bot and returns it
// without the mention.
func mentionText(w wireMessage, botID, botRole string) (string, bool) {
	if botID == "" || w.Content == nil {
		return "", false
	}
	text := *w.Content
	hit := false
	tags := []string{"<@" + botID + ">", "<@!" + botID + ">"}
	if botRole != "" && slices.Contains(w.MentionRoles, botRole) {
		tags = append(tags, "<@&"+botRole+">") // the bot's own role, as autocomplete offers it
	}
	for _, tag := range tags {
		if strings.Contains(text, tag) {
			hit = true
			text = strings.ReplaceAll(text, tag, " ")
		}
	}
	if !hit {
		for _, u := range w.Mentions {
			if u.ID == botID && w.Type != msgReply {
				hit = true
			}
		}
	}
	return strings.Join(strings.Fields(text), " "), hit
}

// translateCreate turns MESSAGE_CREATE into MessagePosted and, when the
// message addresses the bot (a mention or a DM), Mentioned. It also returns
// the message for the cache.
func translateCreate(delivery string, raw []byte, botID string, look lookup) ([]bot.Event, *bot.Message, error) {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, fmt.Errorf("decode MESSAGE_CREATE: %w", err)
	}
	if w.ID == "" || w.ChannelID == "" || w.Author == nil {
		return nil, nil, fmt.Errorf("decode MESSAGE_CREATE: id, channel_id or author missing")
	}
	if w.Type != msgDefault && w.Type != msgReply {
		return nil, nil, nil
	}
	m := toMessage(w, look)
	text, mentioned := mentionText(w, botID, look.botRole(w.GuildID))
	m.ToBot = mentioned
	evs := []bot.Event{bot.MessagePosted{ID: delivery, Message: m}}
	if m.Author.ID == botID || m.Author.Bot || w.WebhookID != "" {
		return evs, &m, nil
	}
	switch {
	case mentioned:
		evs = append(evs, bot.Mentioned{ID: delivery + ":mention", Message: m, Text: text, Via: bot.ViaMention})
	case m.Ref.Channel.Space == "":
		evs = append(evs, bot.Mentioned{ID: delivery + ":mention", Message: m, Text: strings.TrimSpace(m.Text), Via: bot.ViaDM})
	}
	return evs, &m, nil
}

// translateUpdate turns MESSAGE_UPDATE into MessageEdited. Updates may be
// partial (an embed unfurling sends no content): no content, no edit. An
// empty content is ignored too, since without the Message Content intent
// every edit by others looks empty, and applying it would wipe entries.
func translateUpdate(delivery string, raw []byte, look lookup) ([]bot.Event, *bot.Message, error) {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, fmt.Errorf("decode MESSAGE_UPDATE: %w", err)
	}
	if w.ID == "" || w.ChannelID == "" {
		return nil, nil, fmt.Errorf("decode MESSAGE_UPDATE: id or channel_id missing")
	}
	if w.Content == nil || strings.TrimSpace(*w.Content) == "" {
		return nil, nil, nil
	}
	m := toMessage(w, look)
	if old, ok := look.message(w.ID); ok {
		if w.Author == nil {
			m.Author = old.Author
		}
		if m.Time.IsZero() {
			m.Time = old.Time
		}
		if w.MessageReference == nil {
			m.Ref.Thread = old.Ref.Thread
		}
	}
	return []bot.Event{bot.MessageEdited{ID: delivery, Message: m}}, &m, nil
}

// translateGuildDelete turns GUILD_DELETE into SpaceRemoved when the bot
// left the guild (kicked, or the guild deleted); a guild that is only
// unavailable (an outage) keeps everything.
func translateGuildDelete(delivery string, raw []byte) ([]bot.Event, error) {
	var w struct {
		ID          string `json:"id"`
		Unavailable bool   `json:"unavailable"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode GUILD_DELETE: %w", err)
	}
	if w.ID == "" {
		return nil, fmt.Errorf("decode GUILD_DELETE: id missing")
	}
	if w.Unavailable {
		return nil, nil
	}
	return []bot.Event{bot.SpaceRemoved{ID: delivery, Platform: platformName, Space: w.ID}}, nil
}

// translateDelete turns MESSAGE_DELETE into MessageDeleted.
func translateDelete(delivery string, raw []byte) ([]bot.Event, error) {
	var w struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
		GuildID   string `json:"guild_id"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode MESSAGE_DELETE: %w", err)
	}
	if w.ID == "" || w.ChannelID == "" {
		return nil, fmt.Errorf("decode MESSAGE_DELETE: id or channel_id missing")
	}
	ch := bot.ChannelRef{Platform: platformName, Space: w.GuildID, ID: w.ChannelID}
	return []bot.Event{bot.MessageDeleted{ID: delivery, Ref: bot.MessageRef{Channel: ch, ID: w.ID}}}, nil
}

// translateDeleteBulk turns MESSAGE_DELETE_BULK into one MessageDeleted per
// message, each with its own delivery ID.
func translateDeleteBulk(delivery string, raw []byte) ([]bot.Event, error) {
	var w struct {
		IDs       []string `json:"ids"`
		ChannelID string   `json:"channel_id"`
		GuildID   string   `json:"guild_id"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode MESSAGE_DELETE_BULK: %w", err)
	}
	if w.ChannelID == "" {
		return nil, fmt.Errorf("decode MESSAGE_DELETE_BULK: channel_id missing")
	}
	ch := bot.ChannelRef{Platform: platformName, Space: w.GuildID, ID: w.ChannelID}
	var evs []bot.Event
	for _, id := range w.IDs {
		if id == "" {
			continue
		}
		evs = append(evs, bot.MessageDeleted{ID: delivery + ":" + id, Ref: bot.MessageRef{Channel: ch, ID: id}})
	}
	return evs, nil
}

// toEmoji: a custom emoji has an ID and is known by its name; a unicode
// emoji's name is the emoji itself.
func toEmoji(e wireEmoji) bot.Emoji {
	if e.ID != "" {
		return bot.Emoji{Shortcode: e.Name}
	}
	return bot.Emoji{Unicode: e.Name}
}

// translateReaction turns MESSAGE_REACTION_ADD and _REMOVE into
// ReactionAdded and ReactionRemoved. The target's thread comes from the
// cache or the thread channel; capture fetches the message on a miss.
func translateReaction(delivery string, raw []byte, add bool, look lookup) ([]bot.Event, error) {
	var w wireReaction
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode reaction: %w", err)
	}
	if w.UserID == "" || w.ChannelID == "" || w.MessageID == "" || w.Emoji.Name == "" {
		return nil, fmt.Errorf("decode reaction: user_id, channel_id, message_id or emoji missing")
	}
	target, info := reactionTarget(look, w.GuildID, w.ChannelID, w.MessageID)
	u := bot.User{ID: w.UserID}
	if w.Member != nil && w.Member.User != nil && w.Member.User.ID == w.UserID {
		u = userOf(nil, w.Member)
	}
	if add {
		return []bot.Event{bot.ReactionAdded{ID: delivery, Target: target, User: u, Emoji: toEmoji(w.Emoji), Private: info.Private}}, nil
	}
	return []bot.Event{bot.ReactionRemoved{ID: delivery, Target: target, User: u, Emoji: toEmoji(w.Emoji), Private: info.Private}}, nil
}

// reactionTarget is the message a reaction event names, with its thread
// from the cache or, for a message not seen, from its channel being a thread.
func reactionTarget(look lookup, guild, channel, message string) (bot.MessageRef, channelInfo) {
	ch, info := channelRef(look, guild, channel)
	target := bot.MessageRef{Channel: ch, ID: message}
	if m, ok := look.message(message); ok {
		target.Thread = m.Ref.Thread
	} else if info.isThread() {
		target.Thread = info.ID
	}
	return target, info
}

// translateReactionsCleared turns MESSAGE_REACTION_REMOVE_ALL (all bool)
// and MESSAGE_REACTION_REMOVE_EMOJI into ReactionsCleared.
func translateReactionsCleared(delivery string, raw []byte, all bool, look lookup) ([]bot.Event, error) {
	var w struct {
		ChannelID string     `json:"channel_id"`
		GuildID   string     `json:"guild_id"`
		MessageID string     `json:"message_id"`
		Emoji     *wireEmoji `json:"emoji"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decode reactions cleared: %w", err)
	}
	if w.ChannelID == "" || w.MessageID == "" || (!all && (w.Emoji == nil || w.Emoji.Name == "")) {
		return nil, fmt.Errorf("decode reactions cleared: channel_id, message_id or emoji missing")
	}
	target, _ := reactionTarget(look, w.GuildID, w.ChannelID, w.MessageID)
	ev := bot.ReactionsCleared{ID: delivery, Target: target}
	if !all {
		e := toEmoji(*w.Emoji)
		ev.Emoji = &e
	}
	return []bot.Event{ev}, nil
}

// wireInteraction is an INTERACTION_CREATE payload.
type wireInteraction struct {
	ID            string      `json:"id"`
	ApplicationID string      `json:"application_id"`
	Type          int         `json:"type"`
	Token         string      `json:"token"`
	GuildID       string      `json:"guild_id"`
	ChannelID     string      `json:"channel_id"`
	Member        *wireMember `json:"member"`
	User          *wireUser   `json:"user"`
	Data          struct {
		Name     string       `json:"name"`
		Type     int          `json:"type"`
		TargetID string       `json:"target_id"`
		Options  []wireOption `json:"options"`
		Resolved struct {
			Messages map[string]wireMessage `json:"messages"`
		} `json:"resolved"`
	} `json:"data"`
}

type wireOption struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []wireOption    `json:"options"`
}

func (o wireOption) text() string {
	var s string
	if json.Unmarshal(o.Value, &s) == nil {
		return s
	}
	return strings.Trim(string(o.Value), `"`)
}

// Interaction and command types.
const (
	interactionCommand = 2
	commandChatInput   = 1
	commandMessage     = 3
	optionSubcommand   = 1
)

// translateInteraction turns an application command into Mentioned. Text is
// the command as the core reads a mention: "ask <question>", "save <args>",
// "help", "digest <args>". The context-menu command carries its target
// message, returned for the cache (its content comes even without the
// Message Content intent).
func translateInteraction(raw []byte, look lookup) (bot.Mentioned, *wireInteraction, *bot.Message, error) {
	var w wireInteraction
	if err := json.Unmarshal(raw, &w); err != nil {
		return bot.Mentioned{}, nil, nil, fmt.Errorf("decode INTERACTION_CREATE: %w", err)
	}
	if w.ID == "" || w.Token == "" || w.ChannelID == "" {
		return bot.Mentioned{}, nil, nil, fmt.Errorf("decode INTERACTION_CREATE: id, token or channel_id missing")
	}
	if w.Type != interactionCommand {
		return bot.Mentioned{}, nil, nil, nil
	}
	ch, info := channelRef(look, w.GuildID, w.ChannelID)
	ref := bot.MessageRef{Channel: ch}
	if info.isThread() {
		ref.Thread = info.ID
	}
	ev := bot.Mentioned{
		ID:          "discord:interaction:" + w.ID,
		Message:     bot.Message{Ref: ref, Author: userOf(w.User, w.Member), ChannelName: info.Name, Private: info.Private},
		Via:         bot.ViaCommand,
		Interaction: w.ID,
	}
	if ts, err := snowflakeTime(w.ID); err == nil {
		ev.Message.Time = ts
	}
	opts := map[string]string{}
	var sub string
	for _, o := range w.Data.Options {
		if o.Type == optionSubcommand {
			sub = o.Name
			for _, so := range o.Options {
				opts[so.Name] = so.text()
			}
			continue
		}
		opts[o.Name] = o.text()
	}
	var target *bot.Message
	switch {
	case w.Data.Type == commandMessage && w.Data.Name == contextSave:
		tm, ok := w.Data.Resolved.Messages[w.Data.TargetID]
		if !ok {
			return bot.Mentioned{}, nil, nil, fmt.Errorf("decode INTERACTION_CREATE: target message %s not resolved", w.Data.TargetID)
		}
		if tm.ChannelID == "" {
			tm.ChannelID = w.ChannelID
		}
		if tm.GuildID == "" {
			tm.GuildID = w.GuildID
		}
		m := toMessage(tm, look)
		target = &m
		r := m.Ref
		ev.Target, ev.Text = &r, "save"
	case w.Data.Name == "ask":
		ev.Text = strings.TrimSpace("ask " + opts["question"])
	case w.Data.Name == "save":
		ev.Text = strings.TrimSpace("save " + opts["kind"] + " " + opts["tags"])
	case w.Data.Name == "repertoire" && sub == "digest":
		ev.Text = strings.TrimSpace("digest " + opts["setting"])
	case w.Data.Name == "repertoire":
		ev.Text = "help"
	default:
		return bot.Mentioned{}, nil, nil, fmt.Errorf("decode INTERACTION_CREATE: unknown command %q", w.Data.Name)
	}
	return ev, &w, target, nil
}

// snowflakeTime is when a Discord ID was made.
func snowflakeTime(id string) (time.Time, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(n>>22) + 1420070400000).UTC(), nil
}
