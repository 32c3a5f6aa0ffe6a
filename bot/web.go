package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// The web page's read API. The web adapter sees the repertoire only through
// Web, which applies the rule recall follows: a member sees the public
// entries of their workspace or server and the private entries of the
// channels (and DMs) they belong to, as the platform says.

// The read model the web page renders, owned by the store and passed
// through unchanged.
type (
	Entry          = repertoire.Entry
	Hit            = repertoire.Hit
	Kind           = repertoire.Kind
	Person         = repertoire.Person
	Count          = repertoire.Count
	WeekCount      = repertoire.WeekCount
	Overview       = repertoire.Overview
	Browse         = repertoire.Browse
	OpenQuestion   = repertoire.OpenQuestion
	ArchivedDigest = repertoire.ArchivedDigest
)

// Kinds lists the kinds of entries in the order pages show them.
func Kinds() []Kind {
	return []Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}
}

// MemberChecker is a Platform that can tell whether a member belongs to a
// channel or DM. Without it, a platform's private entries stay off the web.
type MemberChecker interface {
	IsMember(ctx context.Context, ch ChannelRef, userID string) (bool, error)
}

// Whisperer is a Platform that can post, in a channel, a message only one
// member sees without a command to answer (Slack's chat.postEphemeral, the
// shell). Elsewhere a sign-in link is only given in a DM or to a command.
type Whisperer interface {
	Whispers() bool
}

// ErrSignedOut means the browser has no valid session: its link or
// session expired, was used, or was ended.
var ErrSignedOut = errors.New("not signed in")

// Viewer is who is looking at the web page: a signed-in member, or nobody
// (the zero Viewer), who sees public entries only where the page is public.
type Viewer struct {
	Platform string
	Space    string
	ID       string
	Name     string
	spaces   []string
}

// SignedIn reports whether the viewer is a member.
func (v Viewer) SignedIn() bool { return v.ID != "" }

// WebOptions configure the read API.
type WebOptions struct {
	// Public shows public entries to visitors who are not signed in
	// (REPERTOIRE_WEB_PUBLIC).
	Public bool
	// MembershipTTL is how long a member's private channels are trusted
	// before the platform is asked again; 2 minutes when zero.
	MembershipTTL time.Duration
	// LinkTTL is how long a sign-in link works; 10 minutes when zero.
	LinkTTL time.Duration
	// SessionTTL is how long a signed-in browser stays signed in; 30 days
	// when zero.
	SessionTTL time.Duration
}

// Web is the web page's view of the core.
type Web struct {
	b    *Bot
	opts WebOptions

	mu    sync.Mutex // guards cache
	cache map[string]cachedAudience
}

type cachedAudience struct {
	aud     repertoire.Audience
	expires time.Time
}

// Web returns the read API for the web page. The bot's Config.WebURL makes
// "web" in chat hand out sign-in links to it.
func (b *Bot) Web(opts WebOptions) *Web {
	if opts.MembershipTTL <= 0 {
		opts.MembershipTTL = 2 * time.Minute
	}
	if opts.LinkTTL <= 0 {
		opts.LinkTTL = 10 * time.Minute
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	w := &Web{b: b, opts: opts, cache: map[string]cachedAudience{}}
	b.web = w
	return w
}

// Public reports whether visitors see public entries without signing in.
func (w *Web) Public() bool { return w.opts.Public }

// SessionTTL is how long a session lasts (the cookie's Max-Age).
func (w *Web) SessionTTL() time.Duration { return w.opts.SessionTTL }

// Now is the core's clock.
func (w *Web) Now() time.Time { return w.b.cfg.Now() }

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SignIn spends a one-time link's token and returns a new session token and
// who it signs in. ErrSignedOut when the link is expired or used.
func (w *Web) SignIn(ctx context.Context, token string) (string, Viewer, error) {
	session, err := randomToken()
	if err != nil {
		return "", Viewer{}, err
	}
	m, err := w.b.store.RedeemSignInToken(ctx, token, session, w.Now().Add(w.opts.SessionTTL))
	if errors.Is(err, repertoire.ErrExpired) {
		return "", Viewer{}, fmt.Errorf("%w: %w", ErrSignedOut, err)
	}
	if err != nil {
		return "", Viewer{}, err
	}
	w.b.log.InfoContext(ctx, "web sign-in", logPlatform, m.Platform, logUser, m.ID)
	return session, viewerOf(m), nil
}

func viewerOf(m repertoire.WebMember) Viewer {
	return Viewer{Platform: m.Platform, Space: m.Space, ID: m.ID, Name: m.Name, spaces: m.Spaces}
}

// Viewer returns who a session token signs in; ErrSignedOut when none.
func (w *Web) Viewer(ctx context.Context, session string) (Viewer, error) {
	if session == "" {
		return Viewer{}, ErrSignedOut
	}
	m, err := w.b.store.Session(ctx, session)
	if errors.Is(err, repertoire.ErrExpired) {
		return Viewer{}, ErrSignedOut
	}
	if err != nil {
		return Viewer{}, err
	}
	return viewerOf(m), nil
}

// SignOut ends a session.
func (w *Web) SignOut(ctx context.Context, session string, v Viewer) error {
	if v.SignedIn() {
		w.forget(v)
	}
	return w.b.store.EndSession(ctx, session)
}

func (w *Web) forget(v Viewer) {
	w.mu.Lock()
	delete(w.cache, v.Platform+"\x00"+v.ID)
	w.mu.Unlock()
}

// audience is what v may see: nothing, public entries (a public page), or a
// member's share, their private channels checked with the platform and
// cached for MembershipTTL.
func (w *Web) audience(ctx context.Context, v Viewer) (repertoire.Audience, error) {
	if !v.SignedIn() {
		if w.opts.Public {
			return repertoire.Audience{Anyone: true}, nil
		}
		return repertoire.Audience{}, ErrSignedOut
	}
	key := v.Platform + "\x00" + v.ID
	now := w.Now()
	w.mu.Lock()
	c, ok := w.cache[key]
	w.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.aud, nil
	}
	aud := repertoire.Audience{Platform: v.Platform, Spaces: append([]string{v.Space}, v.spaces...)}
	if mc, ok := w.b.platforms[v.Platform].(MemberChecker); ok {
		chans, err := w.b.store.PrivateChannels(ctx, v.Platform)
		if err != nil {
			return repertoire.Audience{}, err
		}
		for _, ch := range chans {
			in, err := mc.IsMember(ctx, ChannelRef{Platform: ch.Platform, Space: ch.Space, ID: ch.ID}, v.ID)
			if err != nil {
				// Not known is not a member: the channel stays hidden and
				// is asked about again next time.
				w.b.log.WarnContext(ctx, "web: check channel membership", logChannel, ch.ID, logUser, v.ID, logErr, err)
				continue
			}
			if in {
				aud.Channels = append(aud.Channels, ch)
			}
		}
	}
	w.mu.Lock()
	if len(w.cache) > 10_000 { // bounded: drop all rather than grow
		clear(w.cache)
	}
	w.cache[key] = cachedAudience{aud: aud, expires: now.Add(w.opts.MembershipTTL)}
	w.mu.Unlock()
	return aud, nil
}

// Allowed returns ErrSignedOut when v may see nothing.
func (w *Web) Allowed(ctx context.Context, v Viewer) error {
	_, err := w.audience(ctx, v)
	return err
}

// Overview reads the home page's figures: weeks of growth and recall use
// up to now, contributors since the first of the month (UTC).
func (w *Web) Overview(ctx context.Context, v Viewer, weeks int) (Overview, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return Overview{}, err
	}
	now := w.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return w.b.store.WebOverview(ctx, aud, now, month, weeks)
}

// Browse lists the entries v may see that b selects, and whether more follow.
func (w *Web) Browse(ctx context.Context, v Viewer, b Browse) ([]Entry, bool, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return nil, false, err
	}
	return w.b.store.BrowseEntries(ctx, aud, b)
}

// Entry returns one entry v may see and up to four related ones (found by
// recall from its title and tags). repertoire's ErrNotFound (as
// ErrNoEntry) for an entry v may not see, as for one that does not exist.
func (w *Web) Entry(ctx context.Context, v Viewer, id int64) (Entry, []Hit, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return Entry{}, nil, err
	}
	e, err := w.b.store.VisibleEntry(ctx, aud, id)
	if errors.Is(err, repertoire.ErrNotFound) {
		return Entry{}, nil, fmt.Errorf("%w: %w", ErrNoEntry, err)
	}
	if err != nil {
		return Entry{}, nil, err
	}
	text := e.Title() + " " + strings.Join(e.Tags, " ")
	hits, err := w.b.store.Search(ctx, repertoire.SearchParams{Text: text, Audience: &aud, Limit: 5})
	if err != nil {
		return Entry{}, nil, err
	}
	var related []Hit
	for _, h := range hits {
		if h.ID != e.ID && len(related) < 4 {
			related = append(related, h)
		}
	}
	return e, related, nil
}

// ErrNoEntry means no entry the viewer may see has that ID.
var ErrNoEntry = errors.New("no such entry")

// Search runs recall for v with the chat's syntax, up to limit hits (at most 50).
// A snippet leaves out what its hit's title already shows (afterTitle).
func (w *Web) Search(ctx context.Context, v Viewer, q string, limit int) ([]Hit, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return nil, err
	}
	hits, err := w.b.store.Search(ctx, repertoire.SearchParams{Text: q, Audience: &aud, Limit: limit})
	for i := range hits {
		// The page shows each hit's whole title (Entry.Title) above its snippet.
		hits[i] = afterTitle(hits[i], webTitleRunes)
	}
	return hits, err
}

// webTitleRunes is more than Entry.Title's length: the web page shows all of it.
const webTitleRunes = 200

// OpenQuestions lists the open questions v may see, newest first.
func (w *Web) OpenQuestions(ctx context.Context, v Viewer, limit, offset int) ([]OpenQuestion, bool, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return nil, false, err
	}
	return w.b.store.VisibleOpenQuestions(ctx, aud, limit, offset)
}

// Digests lists the posted digests v may see, newest first.
func (w *Web) Digests(ctx context.Context, v Viewer, limit, offset int) ([]ArchivedDigest, bool, error) {
	aud, err := w.audience(ctx, v)
	if err != nil {
		return nil, false, err
	}
	return w.b.store.ArchivedDigests(ctx, aud, limit, offset)
}

// webLink answers "web": a one-time sign-in link, given only where nobody
// else can read it (a DM, a command's private answer, a whisper).
func (b *Bot) webLink(ctx context.Context, ev Mentioned) error {
	if b.web == nil || b.cfg.WebURL == "" {
		return b.reply(ctx, ev, "The web page is not switched on here: whoever runs me sets REPERTOIRE_HTTP_ADDR (and REPERTOIRE_WEB_URL behind a proxy).")
	}
	ref := ev.Message.Ref
	private := ev.Via == ViaCommand || ev.Via == ViaDM
	if w, ok := b.platforms[ref.Channel.Platform].(Whisperer); ok && w.Whispers() {
		private = true
	}
	if !private {
		return b.reply(ctx, ev, "A sign-in link must stay private: send me `web` in a direct message (or use the /repertoire web command) and I'll answer there.")
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	m := repertoire.WebMember{Platform: ref.Channel.Platform, Space: ref.Channel.Space, Spaces: ev.Spaces,
		ID: ev.Message.Author.ID, Name: ev.Message.Author.Name, Asked: ev.Message.Time}
	ttl := b.web.opts.LinkTTL
	if err := b.store.AddSignInToken(ctx, token, m, b.cfg.Now().Add(ttl)); errors.Is(err, repertoire.ErrForgotten) {
		// Asked for before the member's forget, applied after it.
		return b.reply(ctx, ev, "No link: you asked me to forget you after asking for it. Ask again if you want one.")
	} else if err != nil {
		return err
	}
	link := strings.TrimRight(b.cfg.WebURL, "/") + "/signin?token=" + token
	text := fmt.Sprintf("Your sign-in link for the repertoire's web page (it works once, for %d minutes; don't share it): ",
		int(ttl/time.Minute))
	out := Outgoing{Channel: ref.Channel, Doc: Doc{Blocks: []Block{Para(T(text), Ln(link, link))}}, Interaction: ev.Interaction, Ephemeral: ev.Via != ViaDM, To: ev.Message.Author}
	if ev.Via == ViaDM && ref.Thread != "" {
		out.Thread = ref.Thread
	}
	_, err = b.post(ctx, out)
	return err
}

// recordRecallUse counts a recall question for the web page's chart; a
// failure costs only the count.
func (b *Bot) recordRecallUse(ctx context.Context, ev Mentioned, answered bool) {
	ch := ev.Message.Ref.Channel
	err := b.store.RecordRecallUse(ctx, repertoire.Channel{Platform: ch.Platform, Space: ch.Space, ID: ch.ID, Private: ev.Message.Private},
		answered, b.cfg.Now())
	if err != nil {
		b.log.WarnContext(ctx, "record recall use", logErr, err)
	}
}

// archiveDigest keeps a posted digest as posted, for the web page. The
// members it names are recorded so that forgetting one removes it. A
// failure costs only the archive copy.
func (b *Bot) archiveDigest(ctx context.Context, data repertoire.DigestData, parts []string, ref MessageRef) {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = Inert(p)
	}
	var people []string
	add := func(ps ...repertoire.Person) {
		for _, p := range ps {
			people = append(people, p.ID)
		}
	}
	for _, es := range [][]repertoire.Entry{data.Entries, data.Detected} {
		for _, e := range es {
			add(e.Author, e.QuestionAuthor)
			add(e.Savers...)
		}
	}
	if data.Rediscover != nil {
		add(data.Rediscover.Author, data.Rediscover.QuestionAuthor)
		add(data.Rediscover.Savers...)
	}
	for _, c := range data.Contributors {
		add(c.Person)
	}
	for _, q := range data.OpenQuestions {
		add(q.Asker)
	}
	_, err := b.store.ArchiveDigest(ctx, repertoire.ArchivedDigest{Channel: data.Channel, Start: data.Start, End: data.End,
		MessageID: ref.ID, Text: joinParts(texts), PostedAt: b.cfg.Now(), People: people})
	if err != nil {
		b.log.WarnContext(ctx, "archive digest", logChannel, data.Channel.ID, logErr, err)
	}
}
