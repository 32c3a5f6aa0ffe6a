package bot

import (
	"context"
	"time"
)

// Platform is one chat platform as the core uses it. Implementations live in
// adapters/ and translate to and from the core's types.
type Platform interface {
	// Name is the value of ChannelRef.Platform for this platform's channels
	// ("slack", "discord", "shell").
	Name() string
	// Run connects, acknowledges and translates the platform's events and
	// hands them to h, reconnecting as the platform requires, until ctx is
	// done or a non-recoverable error occurs. Acknowledgement comes before the
	// work: an adapter never waits for h to ack.
	Run(ctx context.Context, h Handler) error
	// Post sends a message and returns its reference. The adapter renders
	// out.Doc in its platform's own markup, escaping what that markup needs,
	// applies the mass-mention guard to the final text, and splits between
	// blocks (or entries) to stay within its limits. Post retries rate
	// limits itself and never posts the same Outgoing twice.
	Post(ctx context.Context, out Outgoing) (MessageRef, error)
	// Thread returns the message ref names and, when it is a reply, the
	// thread's messages, the opening message first. Reactions carry no text,
	// so capture calls this; adapters answer from what they have seen before
	// asking the platform.
	Thread(ctx context.Context, ref MessageRef) ([]Message, error)
}

// Reacter is a Platform that can add a reaction: the quiet acknowledgement
// of a capture.
type Reacter interface {
	React(ctx context.Context, ref MessageRef, e Emoji) error
}

// PostFinder is a Platform that can look for a message the bot posted in a
// channel since a time, holding a text: how a digest claimed by a process
// that died is checked before it is posted again.
type PostFinder interface {
	FindPost(ctx context.Context, ch ChannelRef, since time.Time, contains string) (MessageRef, bool, error)
}

// Directer is a Platform that tells a direct-message conversation from a
// channel. The default digest schedule skips DMs: a member who asked the bot
// privately wants no weekly post there (a schedule set in the DM applies).
type Directer interface {
	Direct(ch ChannelRef) bool
}

// ThreadChanneler is a Platform whose threads are channels of their own
// (Discord: a thread, and every forum post, has its own channel ID, which
// its messages carry). The default digest schedule skips threads: the weekly
// post goes to channels, not into every thread holding an entry (a schedule
// set in the thread applies). ThreadChannel reports whether ch is such a
// thread, asking the platform when the adapter has not seen ch; false when
// it cannot tell.
type ThreadChanneler interface {
	ThreadChannel(ctx context.Context, ch ChannelRef) bool
}

// DirectPoster is a Platform that can write to a member in their direct
// message with the bot, opened for it: where it cannot whisper in a channel
// (Discord outside an interaction), what concerns the member alone (forget
// me's warning and summary) goes there. out.Channel and out.Thread are the
// adapter's to set.
type DirectPoster interface {
	PostDirect(ctx context.Context, to User, out Outgoing) (MessageRef, error)
}

// Handler receives translated events. Handle returns when the event has been
// applied (or queued, for a Dispatcher); its error is for logging only.
type Handler interface {
	Handle(ctx context.Context, ev Event) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, ev Event) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, ev Event) error { return f(ctx, ev) }

// Outgoing is a message the core posts.
type Outgoing struct {
	Channel ChannelRef
	Thread  string // reply in this thread when not empty
	// Doc is what to say: structure, rendered by the adapter.
	Doc Doc
	// Ephemeral asks for a reply only To sees, where the platform can.
	Ephemeral bool
	To        User
	// Interaction answers a command (from Mentioned.Interaction).
	Interaction string
}

// Text is the whole message as plain text (Doc.Text).
func (o Outgoing) Text() string { return o.Doc.Text() }
