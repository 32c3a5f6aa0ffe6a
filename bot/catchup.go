package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Historian is a Platform that can read a channel's recent history back,
// reactions included: how catch-up finds what happened while the bot was
// not listening (Discord replays nothing to a new session, Slack stops
// retrying after a few minutes).
type Historian interface {
	// History returns one page of ch's messages posted at or after
	// q.Since, older than the message q.Before ("" for the newest),
	// within the platform's rate limits. For the reactions q.Wanted
	// accepts, every member who reacted is listed; others may be left out.
	History(ctx context.Context, q HistoryQuery) (HistoryPage, error)
}

// HistoryQuery asks for one page of a channel's history.
type HistoryQuery struct {
	Channel ChannelRef
	Since   time.Time
	Before  string           // HistoryPage.Next of the previous page; "" for the newest
	Wanted  func(Emoji) bool // the reactions whose members the core needs
	// Thread, when set, asks instead for the replies of that thread posted
	// at or after Since, all of them, in one page listing the thread in
	// Threads (a platform whose pages are Flat is never asked).
	Thread string
}

// HistoryPage is one page of a channel's history, newest first.
type HistoryPage struct {
	// Messages are the page's messages (Slack: with the replies of the
	// threads in Threads), with their reactions.
	Messages []Message
	// Oldest is when the page's oldest channel-level message was posted:
	// the page covers the channel from there to the previous page's Oldest.
	Oldest time.Time
	// Next is the cursor of the next, older page; "" when the window is
	// read to its start.
	Next string
	// Flat says every message of the channel, replies included, is listed
	// in its place (Discord). Otherwise replies come only with Threads.
	Flat bool
	// Threads are the threads whose replies the page lists completely.
	Threads []string
	// Key is the channel's inbox order key, as the adapter's live
	// deliveries use it, so catch-up and live events apply in one order.
	Key string
	// Asks are, by message ID, the requests to the bot among Messages (a
	// mention of it, or a direct message), as its live translation reads
	// them.
	Asks map[string]Ask
}

// KindCatchUp is the Delivery.Kind of the core's own events found by
// catch-up; the inbox decodes them itself (decodeCatchUp).
const KindCatchUp = "catchup"

// CatchUpOptions tune a CatchUp; zero values take the defaults.
type CatchUpOptions struct {
	// Window is how far back messages are reconciled. 24 h when zero.
	Window time.Duration
	// Settle bounds how long a pass waits for the inbox to apply what is
	// already pending before reading history. 1 minute when zero.
	Settle time.Duration
	// Mentions is how old a request to the bot made while it was down may
	// be and still be answered (late) when catch-up finds it.
	// DefaultMentionWindow when zero; negative answers none.
	Mentions time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultCatchUpWindow is how far back catch-up looks unless told.
const DefaultCatchUpWindow = 24 * time.Hour

// channelActivity is how recent a channel's last logged message must be for
// catch-up to read it back.
const channelActivity = 7 * 24 * time.Hour

// maxLogged bounds the logged messages of one channel a pass compares.
const maxLogged = 100_000

// CatchUp reconciles the recent history of the channels the bot has heard
// with what it knows (the message log), after downtime: captures and votes
// (capture emoji), 👍/👎 feedback, reactions taken back, edits and deletes
// the bot missed become the core's own events, committed to the inbox with
// delivery IDs derived from what they say, and applied there in order with
// the live events of the same channel.
//
// A pass runs in the background, reads each channel newest first through
// the platform's History (paced by the adapter), and records a checkpoint
// after each page, so a restart resumes a channel where it stopped. It is
// idempotent: a second pass finds the log agreeing with the platform and
// emits nothing; an event found twice (a resumed page) has the same ID and
// the inbox keeps it once.
type CatchUp struct {
	store repertoire.Store
	bot   *Bot
	inbox *Inbox
	log   *slog.Logger
	opts  CatchUpOptions

	mu    sync.Mutex
	state map[string]*catchUpState
	wg    sync.WaitGroup
}

type catchUpState struct{ running, again bool }

// NewCatchUp returns a CatchUp that commits what it finds to in.
func NewCatchUp(store repertoire.Store, b *Bot, in *Inbox, log *slog.Logger, o CatchUpOptions) *CatchUp {
	if o.Window <= 0 {
		o.Window = DefaultCatchUpWindow
	}
	if o.Settle <= 0 {
		o.Settle = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Mentions == 0 {
		o.Mentions = DefaultMentionWindow
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CatchUp{store: store, bot: b, inbox: in, log: log, opts: o, state: map[string]*catchUpState{}}
}

// CatchUpStats counts what one pass read and found.
type CatchUpStats struct {
	Channels, Pages, Messages               int
	Posted, Edited, Deleted, Added, Removed int
	// Mentions are the requests made while the bot was down that it
	// answers late; Unanswered those found too old (or past the bound).
	Mentions, Unanswered int
	// Threads are the threads older than the window read for their recent
	// replies.
	Threads int
}

func (s *CatchUpStats) add(o CatchUpStats) {
	s.Channels += o.Channels
	s.Pages += o.Pages
	s.Messages += o.Messages
	s.Posted += o.Posted
	s.Edited += o.Edited
	s.Deleted += o.Deleted
	s.Added += o.Added
	s.Removed += o.Removed
	s.Mentions += o.Mentions
	s.Unanswered += o.Unanswered
	s.Threads += o.Threads
}

// Events is how many events the pass committed.
func (s CatchUpStats) Events() int {
	return s.Posted + s.Edited + s.Deleted + s.Added + s.Removed + s.Mentions
}

// CatchUpScope limits catch-up to the part of a platform's channels one
// connection receives: a Discord gateway shard gets only its guilds'
// events, so its new session catches up only those. The zero scope is
// every channel.
type CatchUpScope struct {
	// Name tells the part apart in locks and logs ("shard 1/4"); "" for
	// the whole platform.
	Name string
	// Owns reports whether a channel is in the part; nil owns every one.
	Owns func(ChannelRef) bool
}

// Trigger starts a pass over p's channels in the background (nothing when p
// cannot read history). A trigger during a pass runs one more pass after it:
// the second sees what the first could not (a new session's gap).
func (c *CatchUp) Trigger(ctx context.Context, p Platform) { c.TriggerScope(ctx, p, CatchUpScope{}) }

// TriggerScope is Trigger for the channels of one scope. Scopes run
// independently, each under its own single-replica lock.
func (c *CatchUp) TriggerScope(ctx context.Context, p Platform, scope CatchUpScope) {
	if _, ok := p.(Historian); !ok {
		return
	}
	key := p.Name()
	if scope.Name != "" {
		key += ":" + scope.Name
	}
	c.mu.Lock()
	st := c.state[key]
	if st == nil {
		st = &catchUpState{}
		c.state[key] = st
	}
	if st.running {
		st.again = true
		c.mu.Unlock()
		return
	}
	st.running = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		for {
			// One replica at a time catches a platform (or a scope of it)
			// up: the others' triggers are covered by the pass it runs.
			exclusive(ctx, c.store, c.log, repertoire.LockCatchUp+":"+key, func(ctx context.Context) {
				if _, err := c.RunScope(ctx, p, scope); err != nil && ctx.Err() == nil {
					c.log.WarnContext(ctx, "catch-up pass ended with errors", logPlatform, p.Name(), "scope", scope.Name, logErr, err)
				}
			})
			c.mu.Lock()
			if !st.again || ctx.Err() != nil {
				st.running, st.again = false, false
				c.mu.Unlock()
				return
			}
			st.again = false
			c.mu.Unlock()
		}
	}()
}

// Wait returns when the passes Trigger started have ended.
func (c *CatchUp) Wait() { c.wg.Wait() }

// Run makes one pass over p's channels and returns what it found. Channels
// whose previous pass was cut short come first (from their checkpoint, and
// again in full at the end), then the least recently reconciled.
func (c *CatchUp) Run(ctx context.Context, p Platform) (CatchUpStats, error) {
	return c.RunScope(ctx, p, CatchUpScope{})
}

// RunScope is Run over the channels scope owns.
func (c *CatchUp) RunScope(ctx context.Context, p Platform, scope CatchUpScope) (CatchUpStats, error) {
	var total CatchUpStats
	h, ok := p.(Historian)
	if !ok {
		return total, nil
	}
	start := c.opts.Now()
	since := start.Add(-c.opts.Window)
	c.settle(ctx)
	chans, err := c.store.CatchUpChannels(ctx, p.Name(), start.Add(-max(channelActivity, c.opts.Window)))
	if err != nil {
		return total, fmt.Errorf("catch-up: %w", err)
	}
	if scope.Owns != nil {
		mine := chans[:0]
		for _, ch := range chans {
			if scope.Owns(ChannelRef{Platform: ch.Channel.Platform, Space: ch.Channel.Space, ID: ch.Channel.ID}) {
				mine = append(mine, ch)
			}
		}
		chans = mine
	}
	sort.SliceStable(chans, func(i, j int) bool {
		a, b := chans[i], chans[j]
		if a.PassAt.IsZero() != b.PassAt.IsZero() {
			return !a.PassAt.IsZero()
		}
		return a.DoneAt.Before(b.DoneAt)
	})
	c.log.InfoContext(ctx, "catch-up started", logPlatform, p.Name(), "scope", scope.Name, "channels", len(chans), "window", c.opts.Window)
	var errs []error
	for round := 0; round < 2; round++ {
		for i := range chans {
			ch := &chans[i]
			if !ch.DoneAt.Before(start) {
				continue
			}
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			pass, cursor, upper := start, "", time.Time{}
			if !ch.PassAt.IsZero() && start.Sub(ch.PassAt) < c.opts.Window {
				pass, cursor, upper = ch.PassAt, ch.Cursor, ch.CursorAt
			}
			st, err := c.channel(ctx, h, ch, pass, since, cursor, upper)
			total.add(st)
			if err != nil {
				errs = append(errs, err)
				c.log.WarnContext(ctx, "catch-up of a channel stopped; it resumes from its checkpoint", logPlatform, p.Name(), logChannel, ch.Channel.ID, logErr, err)
				ch.DoneAt = start // not again in this pass
				continue
			}
			c.log.InfoContext(ctx, "catch-up channel reconciled", logPlatform, p.Name(), logChannel, ch.Channel.ID,
				"pages", st.Pages, "messages", st.Messages, "events", st.Events(), "resumed", pass != start)
		}
	}
	c.log.InfoContext(ctx, "catch-up done", logPlatform, p.Name(), "channels", total.Channels, "pages", total.Pages, "messages", total.Messages,
		"posted", total.Posted, "edited", total.Edited, "deleted", total.Deleted, "reactions_added", total.Added, "reactions_removed", total.Removed,
		"mentions_answered", total.Mentions, "mentions_too_old", total.Unanswered, "older_threads", total.Threads,
		"took", c.opts.Now().Sub(start).Round(time.Millisecond))
	return total, errors.Join(errs...)
}

// settle waits (bounded) until the inbox has applied what is pending, so
// the log the pass compares with includes the deliveries already received.
func (c *CatchUp) settle(ctx context.Context) {
	deadline := time.Now().Add(c.opts.Settle)
	for time.Now().Before(deadline) {
		n, _, err := c.store.InboxDepth(ctx)
		if err != nil || n == 0 {
			return
		}
		if sleepCtx(ctx, 100*time.Millisecond) != nil {
			return
		}
	}
}

// channel reconciles one channel from cursor (the newest message when
// empty) back to since, page by page, committing each page's events and
// then its checkpoint.
func (c *CatchUp) channel(ctx context.Context, h Historian, ch *repertoire.CatchUpChannel, pass, since time.Time, cursor string, upper time.Time) (CatchUpStats, error) {
	st := CatchUpStats{Channels: 1}
	ref := ChannelRef{Platform: ch.Channel.Platform, Space: ch.Channel.Space, ID: ch.Channel.ID}
	logged, err := c.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch.Channel, Since: since, Limit: maxLogged})
	if err != nil {
		return st, fmt.Errorf("catch-up %s: %w", ch.Channel.ID, err)
	}
	byID := make(map[string]repertoire.LoggedMessage, len(logged))
	for _, l := range logged {
		byID[l.ID] = l
	}
	// The bot's recall answers with the votes held on them; the store
	// stamps an answer when it recorded it, a little after its post.
	answers, err := c.store.AnswerFeedbackSince(ctx, ch.Channel, since.Add(-time.Hour))
	if err != nil {
		return st, fmt.Errorf("catch-up %s: %w", ch.Channel.ID, err)
	}
	votes := make(map[string]*repertoire.AnswerFeedback, len(answers))
	for i := range answers {
		votes[answers[i].MessageID] = &answers[i]
	}
	found, threads := map[string]bool{}, map[string]bool{}
	resumedAt := upper // a resumed pass knows nothing of what is newer
	for {
		page, err := h.History(ctx, HistoryQuery{Channel: ref, Since: since, Before: cursor, Wanted: c.wanted})
		if err != nil {
			return st, fmt.Errorf("catch-up %s: read history: %w", ch.Channel.ID, err)
		}
		st.Pages++
		e := &emitter{c: c, ref: ref, key: page.Key, votes: votes}
		if e.key == "" {
			e.key = ref.ID
		}
		ds := c.diff(e, pass, since, page, byID, found, threads, &st)
		if page.Next == "" {
			if !page.Flat {
				if err := c.oldThreads(ctx, h, ch, e, pass, since, byID, found, threads, &st); err != nil {
					return st, err
				}
			}
			ds = c.deletes(e, since, resumedAt, page.Flat, logged, found, threads, &st)
		}
		if len(ds) > 0 {
			if err := c.inbox.Accept(ctx, ds...); err != nil {
				return st, fmt.Errorf("catch-up %s: %w", ch.Channel.ID, err)
			}
		}
		if page.Next == "" {
			ch.DoneAt, ch.PassAt, ch.Cursor, ch.CursorAt = pass, time.Time{}, "", time.Time{}
		} else {
			cursor, upper = page.Next, page.Oldest
			ch.PassAt, ch.Cursor, ch.CursorAt = pass, cursor, upper
		}
		if err := c.store.SaveCatchUp(ctx, *ch); err != nil {
			return st, fmt.Errorf("catch-up %s: %w", ch.Channel.ID, err)
		}
		if page.Next == "" {
			return st, nil
		}
	}
}

// wanted is true for the reactions the core counts: capture emoji (saves
// and votes) and 👍/👎 (feedback on answers).
func (c *CatchUp) wanted(e Emoji) bool {
	if _, ok := c.bot.CaptureKind(e); ok {
		return true
	}
	_, ok := feedbackEmoji(e)
	return ok
}

// emitter gathers one page's deliveries for a channel.
type emitter struct {
	c     *CatchUp
	ref   ChannelRef
	key   string
	votes map[string]*repertoire.AnswerFeedback // the bot's recall answers by message ID
	ds    []Delivery
}

func (e *emitter) emit(id string, ev Event) {
	payload, err := encodeCatchUp(ev)
	if err != nil {
		e.c.log.Warn("catch-up event not encoded", logEvent, id, logErr, err)
		return
	}
	e.ds = append(e.ds, Delivery{Platform: e.ref.Platform, Kind: KindCatchUp, ID: id, Channel: e.key, Payload: payload, Received: time.Now()})
}

// diff turns the differences between one page and the message log into
// deliveries: a message the log lacks is posted (late), a text that
// differs is an edit, and a wanted reaction on one side only is added or
// removed. Messages before since are not touched. What the page lists is
// marked in found (and its complete threads in threads) for deletes.
func (c *CatchUp) diff(e *emitter, pass, since time.Time, page HistoryPage,
	byID map[string]repertoire.LoggedMessage, found, threads map[string]bool, st *CatchUpStats) []Delivery {
	ref := e.ref
	emit := e.emit
	passKey := strconv.FormatInt(pass.UnixMilli(), 10)
	for _, t := range page.Threads {
		threads[t] = true
	}
	msgs := append([]Message(nil), page.Messages...)
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Time.Before(msgs[j].Time) })
	for _, m := range msgs {
		if m.Time.Before(since) || m.Ref.ID == "" {
			continue
		}
		st.Messages++
		found[m.Ref.ID] = true
		m.Ref.Channel = ref
		if m.Author.Bot {
			// The bot's own posts are not logged: feedback on its answers
			// is compared with the votes the store holds on them.
			c.feedback(e, passKey, m, e.votes[m.Ref.ID], st)
			continue
		}
		l, ok := byID[m.Ref.ID]
		switch {
		case !ok:
			pm := m
			pm.Reactions = nil // the reactions follow as events of their own
			id := catchUpID(ref, "post", m.Ref.ID)
			st.Posted++
			emit(id, MessagePosted{ID: id, Message: pm, Late: true})
			c.ask(e, pass, page, pm, st)
		case comparableText(m.Text) != l.Text:
			sum := sha256.Sum256([]byte(m.Text))
			id := catchUpID(ref, "edit", m.Ref.ID, hex.EncodeToString(sum[:8]))
			st.Edited++
			emit(id, MessageEdited{ID: id, Message: m})
		}
		have := map[string]bool{}
		for _, r := range l.Reactions {
			if c.wanted(emojiOfKey(r.Emoji)) {
				have[r.UserID+"\x00"+r.Emoji] = true
			}
		}
		now := map[string]bool{}
		for _, r := range m.Reactions {
			if r.User.Bot || r.User.ID == "" || !c.wanted(r.Emoji) {
				continue
			}
			k := r.User.ID + "\x00" + emojiKey(r.Emoji)
			if now[k] {
				continue
			}
			now[k] = true
			if !have[k] {
				id := catchUpID(ref, "add", passKey, m.Ref.ID, r.User.ID, emojiKey(r.Emoji))
				st.Added++
				emit(id, ReactionAdded{ID: id, Target: m.Ref, User: r.User, Emoji: r.Emoji, Private: m.Private, At: m.Time})
			}
		}
		for _, r := range l.Reactions {
			k := r.UserID + "\x00" + r.Emoji
			if !have[k] || now[k] {
				continue
			}
			id := catchUpID(ref, "remove", passKey, m.Ref.ID, r.UserID, r.Emoji)
			st.Removed++
			emit(id, ReactionRemoved{ID: id, Target: m.Ref, User: User{ID: r.UserID}, Emoji: emojiOfKey(r.Emoji), Private: m.Private})
		}
	}
	return e.ds
}

// deletes are the logged messages of the window the pass read through but
// did not find. The log keeps times in milliseconds: a message in the same
// millisecond as the window's start, or as the checkpoint a resumed pass
// started from (upper), is left alone rather than risk a wrong delete.
// Slack's replies are judged only in threads read completely.
func (c *CatchUp) deletes(e *emitter, since, upper time.Time, flat bool, logged []repertoire.LoggedMessage, found, threads map[string]bool, st *CatchUpStats) []Delivery {
	lo, hi := since.UnixMilli(), upper.UnixMilli()
	for _, l := range logged {
		if found[l.ID] {
			continue
		}
		at := l.At.UnixMilli()
		if at <= lo || (!upper.IsZero() && at >= hi) {
			continue
		}
		if !flat && l.Thread != "" && l.Thread != l.ID && !threads[l.Thread] {
			continue
		}
		id := catchUpID(e.ref, "delete", l.ID)
		st.Deleted++
		e.emit(id, MessageDeleted{ID: id, Ref: MessageRef{Channel: e.ref, ID: l.ID, Thread: l.Thread}})
	}
	return e.ds
}

// catchUpID is a catch-up event's delivery ID: what it says, in its channel
// (a Slack ts is unique only within its channel). An addition or removal of
// a reaction also names its pass, so the same reaction added again after
// being taken back is a new event; the rest is final once said.
func catchUpID(ch ChannelRef, what string, parts ...string) string {
	return "catchup:" + ch.Space + "/" + ch.ID + ":" + what + ":" + strings.Join(parts, ":")
}

// comparableText is a platform text as the message log keeps it (valid
// UTF-8, no NUL), so an unchanged message is not taken for an edit.
func comparableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// emojiOfKey turns a logged emoji key back into an Emoji: shortcodes are
// ASCII, unicode emoji never are.
func emojiOfKey(k string) Emoji {
	if isASCII(k) {
		return Emoji{Shortcode: k}
	}
	return Emoji{Unicode: k}
}

// catchUpWire is the stored form of a catch-up event: the core's own types
// as JSON, tagged by type.
type catchUpWire struct {
	Posted  *MessagePosted   `json:"posted,omitempty"`
	Edited  *MessageEdited   `json:"edited,omitempty"`
	Deleted *MessageDeleted  `json:"deleted,omitempty"`
	Added   *ReactionAdded   `json:"added,omitempty"`
	Removed *ReactionRemoved `json:"removed,omitempty"`
	Asked   *Mentioned       `json:"asked,omitempty"`
}

func encodeCatchUp(ev Event) ([]byte, error) {
	var w catchUpWire
	switch ev := ev.(type) {
	case MessagePosted:
		w.Posted = &ev
	case MessageEdited:
		w.Edited = &ev
	case MessageDeleted:
		w.Deleted = &ev
	case ReactionAdded:
		w.Added = &ev
	case ReactionRemoved:
		w.Removed = &ev
	case Mentioned:
		w.Asked = &ev
	default:
		return nil, fmt.Errorf("catch-up: no stored form for %T", ev)
	}
	return json.Marshal(w)
}

func decodeCatchUp(payload []byte) ([]Event, error) {
	var w catchUpWire
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, fmt.Errorf("catch-up event: %w", err)
	}
	switch {
	case w.Posted != nil:
		return []Event{*w.Posted}, nil
	case w.Edited != nil:
		return []Event{*w.Edited}, nil
	case w.Deleted != nil:
		return []Event{*w.Deleted}, nil
	case w.Added != nil:
		return []Event{*w.Added}, nil
	case w.Removed != nil:
		return []Event{*w.Removed}, nil
	case w.Asked != nil:
		return []Event{*w.Asked}, nil
	}
	return nil, errors.New("catch-up event: empty")
}
