package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Log attribute keys. Logs carry IDs, never members' words.
const (
	logPlatform = "platform"
	logChannel  = "channel"
	logMessage  = "message"
	logUser     = "user"
	logEvent    = "event"
	logEntry    = "entry"
	logErr      = "err"
)

// Config is what a community can change about the bot.
type Config struct {
	// Name is how members address the bot ("repertoire").
	Name string
	// Capture maps a reaction (unicode or shortcode) to the kind of entry
	// it saves. DefaultCapture when nil.
	Capture map[string]repertoire.Kind
	// Ack is the reaction the bot adds to a message it saved.
	Ack Emoji
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Digest is the default digest schedule and quiet-period behaviour.
	Digest DigestConfig
	// Retention is how long the message log keeps what members posted;
	// DefaultRetention (30 days) when zero.
	Retention time.Duration
	// SuggestEvery spaces the detector's suggestions in a channel;
	// DefaultSuggestEvery when zero.
	SuggestEvery time.Duration
	// DetectThreshold is the score an exchange needs to be suggested or
	// saved; DetectThreshold (the constant) when zero.
	DetectThreshold float64
	// WebURL is the web page's base URL; "web" in chat answers with a
	// sign-in link to it. Empty when there is no web page.
	WebURL string
	// Observer hears recalls and digest outcomes (metrics); none when nil.
	Observer Observer
}

// DefaultCapture is the emoji → kind map members get out of the box.
func DefaultCapture() map[string]repertoire.Kind {
	return map[string]repertoire.Kind{
		"💡": repertoire.Tip, "bulb": repertoire.Tip,
		"✅": repertoire.Solution, "white_check_mark": repertoire.Solution,
		"📖": repertoire.Story, "book": repertoire.Story, "open_book": repertoire.Story,
	}
}

// ParseCapture applies a member-facing spec to the default capture map:
// comma- or space-separated "emoji=kind" pairs add or change an emoji
// ("🧭=how-we-do", "compass=how-we-do": Slack names emoji, Discord sends
// them as characters, so give both), and "emoji=off" removes one. Kinds are
// tip, solution, story and how-we-do. An empty spec is the default map.
func ParseCapture(spec string) (map[string]repertoire.Kind, error) {
	m := DefaultCapture()
	for _, pair := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		emoji, kind, ok := strings.Cut(pair, "=")
		emoji = normalizeShortcode(strings.TrimSuffix(strings.TrimSpace(emoji), "\uFE0F"))
		kind = strings.ToLower(strings.TrimSpace(kind))
		if !ok || emoji == "" {
			return nil, fmt.Errorf("%q is not emoji=kind (for example 🧭=how-we-do or compass=how-we-do)", pair)
		}
		if kind == "off" {
			delete(m, emoji)
			continue
		}
		if k := repertoire.Kind(kind); k.Valid() {
			m[emoji] = k
			continue
		}
		return nil, fmt.Errorf("%q: the kind %q is not tip, solution, story, how-we-do or off", pair, kind)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no capture emoji left: members could not save anything")
	}
	return m, nil
}

// Bot is the core: it applies events to the repertoire and answers members.
type Bot struct {
	store     repertoire.Store
	log       *slog.Logger
	cfg       Config
	platforms map[string]Platform

	pruneMu   sync.Mutex // guards lastPrune: workers share the bot
	lastPrune time.Time

	web *Web // the web page's read API, when there is one (set by Bot.Web)

}

// New returns a Bot storing in store and answering through platforms.
func New(store repertoire.Store, log *slog.Logger, cfg Config, platforms ...Platform) *Bot {
	if cfg.Name == "" {
		cfg.Name = "repertoire"
	}
	if cfg.Capture == nil {
		cfg.Capture = DefaultCapture()
	}
	if cfg.Ack == (Emoji{}) {
		cfg.Ack = Emoji{Unicode: "📚", Shortcode: "books"}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Digest = cfg.Digest.withDefaults()
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.DetectThreshold == 0 {
		cfg.DetectThreshold = DetectThreshold
	}
	if cfg.SuggestEvery <= 0 {
		cfg.SuggestEvery = DefaultSuggestEvery
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{store: store, log: log, cfg: cfg, platforms: map[string]Platform{}}
	for _, p := range platforms {
		b.platforms[p.Name()] = p
	}
	return b
}

// AddPlatform lets the bot answer on p (adapters built after the bot).
func (b *Bot) AddPlatform(p Platform) { b.platforms[p.Name()] = p }

var _ Handler = (*Bot)(nil)

// Handle applies one event. It never panics on input: a panic in the work is
// logged and, for a member's request, answered with an apology.
func (b *Bot) Handle(ctx context.Context, ev Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.log.ErrorContext(ctx, "panic handling event", logEvent, ev.Delivery(), "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("handle event: panic: %v", r)
			if m, ok := ev.(Mentioned); ok {
				b.replyError(ctx, m, err)
			}
		}
	}()
	switch ev := ev.(type) {
	case MessagePosted:
		// The message log and detection, then the opt-in nudge: one failing
		// does not stop the other.
		return errors.Join(b.posted(ctx, ev), b.nudge(ctx, ev))
	case MessageEdited:
		return b.edited(ctx, ev)
	case MessageDeleted:
		return b.deleted(ctx, ev)
	case ReactionAdded:
		return b.reactionAdded(ctx, ev)
	case ReactionRemoved:
		return b.reactionRemoved(ctx, ev)
	case ReactionsCleared:
		return b.reactionsCleared(ctx, ev)
	case Mentioned:
		return b.mentioned(ctx, ev)
	case SpaceRemoved:
		return b.spaceRemoved(ctx, ev)
	case ActionPressed:
		return b.actionPressed(ctx, ev)
	default:
		return fmt.Errorf("handle event: unknown type %T", ev)
	}
}

// subEvent names one step of a platform delivery that takes several
// transactions, so each step is applied once; "" stays "" (no ID to record).
func subEvent(id, step string) string {
	if id == "" {
		return ""
	}
	return id + "#" + step
}

// storeChannel is the store's name for a platform's channel (its privacy
// not set).
func storeChannel(c ChannelRef) repertoire.Channel {
	return repertoire.Channel{Platform: c.Platform, Space: c.Space, ID: c.ID}
}

func source(ref MessageRef) repertoire.Source {
	return repertoire.Source{Platform: ref.Channel.Platform, Space: ref.Channel.Space, Channel: ref.Channel.ID, Message: ref.ID}
}

func (b *Bot) edited(ctx context.Context, ev MessageEdited) error {
	before := ""
	if was, err := b.store.LoggedMessageBySource(ctx, source(ev.Message.Ref)); err == nil {
		before = was.Text // what the edit replaces, when the log holds it
	}
	logged, err := b.store.EditLoggedMessage(ctx, source(ev.Message.Ref), ev.Message.Text, ev.Message.Time)
	if err != nil {
		return fmt.Errorf("apply edit to the message log: %w", err)
	}
	if logged && !ev.Message.Author.Bot {
		// An edit can turn a conversation into an exchange worth keeping
		// ("trying…" becoming "that worked, thanks!"); detection decides
		// once per thread, so looking again is safe.
		if err := b.detect(ctx, ev.Message.Ref); err != nil {
			b.log.WarnContext(ctx, "detect after edit", logErr, err)
		}
	}
	if err := b.reaskEdited(ctx, ev); err != nil { // editopen.go
		return err
	}
	if logged {
		if err := b.reopenWithdrawn(ctx, ev, before); err != nil { // editopen.go
			return err
		}
	}
	held, err := b.store.EntriesHolding(ctx, source(ev.Message.Ref))
	if err != nil {
		return fmt.Errorf("apply edit: %w", err)
	}
	// A question asked of the bot is kept without the bot's name (as its
	// save keeps it); an answer never is such a request.
	text := b.withoutCommand(ev.Message)
	if saysNothing(text) && !holdsText(held, ev.Message.Ref, ev.Message.Text, text) {
		// "ok", "nvm", emptied: the author took back what they said, so the
		// entry goes as if the message were deleted (its question, when it
		// was one, leaves the entry; an open question leaves the digest).
		// Keeping the earlier words would keep what its author withdrew.
		// An edit event that changes no text (a link's preview) is none.
		// The message is still there, so an entry keeps its link to the
		// question: an edit that restores the question restores it.
		n, err := b.store.WithdrawSource(ctx, ev.ID, source(ev.Message.Ref))
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("apply edit to nothing: %w", err)
		}
		if n > 0 {
			b.log.InfoContext(ctx, "entry source edited to nothing: taken back", logPlatform, ev.Message.Ref.Channel.Platform, logMessage, ev.Message.Ref.ID)
		}
		return nil
	}
	n, err := b.store.EditSource(ctx, ev.ID, source(ev.Message.Ref), text, ev.Message.Time)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply edit: %w", err)
	}
	if logged {
		if err := b.resaveWithdrawn(ctx, ev, before); err != nil { // editopen.go
			return err
		}
	}
	if n > 0 {
		b.log.InfoContext(ctx, "entry source edited", logPlatform, ev.Message.Ref.Channel.Platform, logMessage, ev.Message.Ref.ID)
		b.retag(ctx, ev.Message.Ref)
		b.retagEdit(ctx, held, ev.Message.Ref, text)
	}
	return nil
}

// holdsText reports whether an entry already holds the message's text as
// it is now (raw; asked, without the bot's name), as its answer or its
// question: the edit changes nothing there.
func holdsText(held []repertoire.Entry, ref MessageRef, raw, asked string) bool {
	raw, asked = repertoire.CleanText(raw), repertoire.CleanText(asked)
	for _, e := range held {
		if (e.SourceID == ref.ID && (e.Answer == raw || e.Answer == asked)) || (e.QuestionID == ref.ID && (e.Question == raw || e.Question == asked)) {
			return true
		}
	}
	return false
}

func (b *Bot) deleted(ctx context.Context, ev MessageDeleted) error {
	if _, err := b.store.DeleteLoggedMessage(ctx, source(ev.Ref)); err != nil {
		return fmt.Errorf("apply delete to the message log: %w", err)
	}
	n, err := b.store.DeleteSource(ctx, ev.ID, source(ev.Ref))
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply delete: %w", err)
	}
	if n > 0 {
		b.log.InfoContext(ctx, "entry source deleted", logPlatform, ev.Ref.Channel.Platform, logMessage, ev.Ref.ID)
	}
	return nil
}

// spaceRemoved purges what was kept from a workspace the bot was removed from.
func (b *Bot) spaceRemoved(ctx context.Context, ev SpaceRemoved) error {
	p, err := b.store.PurgeSpace(ctx, ev.ID, ev.Platform, ev.Space)
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("purge space: %w", err)
	}
	b.log.InfoContext(ctx, "space purged", logPlatform, ev.Platform, "space", ev.Space, "entries", p.Entries, "open_questions", p.OpenQuestions)
	return nil
}

// CaptureKind returns the kind of entry a reaction saves, if it is a capture emoji.
func (b *Bot) CaptureKind(e Emoji) (repertoire.Kind, bool) {
	for _, key := range []string{strings.TrimSuffix(e.Unicode, "\uFE0F"), e.Unicode, normalizeShortcode(e.Shortcode)} {
		if key == "" {
			continue
		}
		if k, ok := b.cfg.Capture[key]; ok {
			return k, true
		}
	}
	return "", false
}

// normalizeShortcode drops colons and a skin-tone suffix: ":+1::skin-tone-2:" → "+1".
func normalizeShortcode(s string) string {
	s = strings.Trim(s, ":")
	if i := strings.Index(s, "::skin-tone-"); i >= 0 {
		s = s[:i]
	}
	return s
}

func (b *Bot) platform(ref ChannelRef) (Platform, error) {
	p, ok := b.platforms[ref.Platform]
	if !ok {
		return nil, fmt.Errorf("no adapter for platform %q", ref.Platform)
	}
	return p, nil
}

// post sends a document; the one door for everything the bot says. The
// adapter renders it and makes its final text inert.
func (b *Bot) post(ctx context.Context, out Outgoing) (MessageRef, error) {
	p, err := b.platform(out.Channel)
	if err != nil {
		return MessageRef{}, err
	}
	ref, err := p.Post(ctx, out)
	if err != nil {
		return MessageRef{}, fmt.Errorf("post to %s: %w", out.Channel.Platform, err)
	}
	return ref, nil
}
