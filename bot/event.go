package bot

import "time"

// ChannelRef names a channel on a platform. Space is the Slack workspace or
// Discord guild (empty for Discord DMs).
type ChannelRef struct {
	Platform string
	Space    string
	ID       string
}

// MessageRef names a message. Thread is the ID of the thread's opening
// message when the message is a reply, and empty otherwise.
type MessageRef struct {
	Channel ChannelRef
	ID      string
	Thread  string
}

// Root is the reference of the thread's opening message: the message itself
// when it opens no thread.
func (m MessageRef) Root() MessageRef {
	if m.Thread == "" || m.Thread == m.ID {
		return MessageRef{Channel: m.Channel, ID: m.ID}
	}
	return MessageRef{Channel: m.Channel, ID: m.Thread}
}

// User is a member (or a bot) as the platform knows them.
type User struct {
	ID   string
	Name string // display name, for credits; never used to ping
	Bot  bool
}

// Message is one chat message as the core sees it.
type Message struct {
	Ref         MessageRef
	Author      User
	Text        string // plain text as typed, platform markup left in place
	Time        time.Time
	Link        string // permalink, when the adapter knows it
	ChannelName string // without '#', when known
	Private     bool   // a private channel or a DM: what is saved here stays here
	// ToBot is set by adapters when the message mentions the bot: it is a
	// request, answered through Mentioned, not a question to nudge.
	ToBot bool
	// ReplyTo is the message this one explicitly answers (a Discord reply,
	// a quote the platform resolves), when the platform says; empty otherwise.
	ReplyTo string
	// Reactions already on the message, when the adapter knows them (Thread
	// results); shortcodes or unicode as the platform gives them.
	Reactions []Reaction
}

// Reaction is one member's emoji on a message.
type Reaction struct {
	User  User
	Emoji Emoji
}

// Emoji is a reaction as both platforms name it: Slack speaks shortcodes
// ("bulb"), Discord unicode ("💡"). Adapters fill what they know; the core
// matches either. Custom emoji have only a shortcode (Discord: the name).
type Emoji struct {
	Unicode   string
	Shortcode string
}

// Event is one thing that happened on a platform. The set is closed: the
// types below are all there is, and Bot.Handle switches over them.
type Event interface {
	// Delivery is the platform's ID for this delivery (Slack event_id,
	// envelope or Discord dispatch), so a redelivery is applied once. Empty
	// when the platform gives none.
	Delivery() string
	event()
}

// MessagePosted: a member (or bot) posted a message.
type MessagePosted struct {
	ID      string
	Message Message
	// Late marks a message found by catch-up after downtime: it is logged
	// and judged like any other, but nobody is nudged hours later.
	Late bool
}

// MessageEdited: a message's text changed.
type MessageEdited struct {
	ID      string
	Message Message
}

// MessageDeleted: a message is gone.
type MessageDeleted struct {
	ID  string
	Ref MessageRef
}

// ReactionAdded: a member reacted to a message. Reactions carry no text: the
// core fetches the message through Platform.Thread.
type ReactionAdded struct {
	ID      string
	Target  MessageRef
	User    User
	Emoji   Emoji
	Private bool
	// At is when the member reacted, as far as known: the delivery's
	// arrival (the inbox sets it), or for a reaction catch-up found, its
	// message's time (it came after; exactly when is not known). Zero is
	// now. A reaction dated before its member asked to be forgotten is not
	// recorded after the forget.
	At time.Time
}

// ReactionRemoved: a member took a reaction back.
type ReactionRemoved struct {
	ID      string
	Target  MessageRef
	User    User
	Emoji   Emoji
	Private bool
}

// ReactionsCleared: a moderator removed every reaction of a message (Emoji
// nil) or every reaction with one emoji. The platform does not say whose
// they were; the core takes them from the message log.
type ReactionsCleared struct {
	ID     string
	Target MessageRef
	Emoji  *Emoji
}

// Mentioned: a member addressed the bot, by @-mention, in a DM or with a
// slash or context-menu command. Text is what they asked with the mention
// itself removed (a slash command's arguments prefixed with its verb, e.g.
// "ask how do I …"). Message.Ref is where to answer: the mention's message
// (for a thread reply) or, for commands, the channel with an empty ID.
type Mentioned struct {
	ID      string
	Message Message
	Text    string
	Via     Via
	// Interaction is the adapter's handle for answering a command (Slack
	// response_url, Discord interaction token); echoed in Outgoing.
	Interaction string
	// Command is the slash command the request came by, when what follows
	// it is read as a mention's text (Slack's "/repertoire", the shell's
	// "/ask"): replies name it for what can be said that way again.
	Command string
	// Target is the message a command is about (Discord's "Save to
	// repertoire" context menu), when there is one.
	Target *MessageRef
	// Spaces are, for a request outside any space (a Discord DM), the spaces
	// of the same platform the member belongs to, as the adapter checked:
	// recall shows their public entries.
	Spaces []string
	// Late marks a request catch-up found after downtime: the answer says
	// it is late when the wait was long.
	Late bool
}

// SpaceRemoved: the bot was uninstalled from a workspace or guild (or its
// tokens were revoked). Everything kept from that space is purged: members
// who removed the bot expect their words gone with it.
type SpaceRemoved struct {
	ID       string
	Platform string
	Space    string
}

// Via says how the bot was addressed.
type Via int

// The ways to address the bot.
const (
	ViaMention Via = iota
	ViaDM
	ViaCommand
)

func (e MessagePosted) Delivery() string    { return e.ID }
func (e MessageEdited) Delivery() string    { return e.ID }
func (e MessageDeleted) Delivery() string   { return e.ID }
func (e ReactionAdded) Delivery() string    { return e.ID }
func (e ReactionRemoved) Delivery() string  { return e.ID }
func (e ReactionsCleared) Delivery() string { return e.ID }
func (e Mentioned) Delivery() string        { return e.ID }
func (e SpaceRemoved) Delivery() string     { return e.ID }

func (MessagePosted) event()    {}
func (MessageEdited) event()    {}
func (MessageDeleted) event()   {}
func (ReactionAdded) event()    {}
func (ReactionRemoved) event()  {}
func (ReactionsCleared) event() {}
func (Mentioned) event()        {}
func (SpaceRemoved) event()     {}
