package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// History is a chat export read back (a Slack workspace export, Discord
// exports): the past that Import turns into entries with the same capture
// rules as live reactions. Adapters implement it; they stream, so an export
// larger than memory can be read.
type History interface {
	// ID identifies the export's content: the same export gives the same ID,
	// so a rerun resumes it and a repeated import writes nothing.
	ID() string
	// Units lists the export's files in the order to read them: a channel's
	// files together, oldest first, so a thread's opening message comes
	// before its replies.
	Units() []HistoryUnit
	// Read streams a unit's messages to visit in order. Broken input (not an
	// export, invalid UTF-8, a truncated file) is an error naming the file
	// and line; a message the adapter cannot use is visited with Skip set.
	Read(ctx context.Context, u HistoryUnit, visit func(HistoryMessage) error) error
}

// Addresser is a History that knows how its messages address a member by
// name (Slack's "<@U123>"), so imported "@repertoire save" commands are found.
type Addresser interface {
	Addresses(name string) []string
}

// HistoryUnit is one file of an export, written in bounded transactions and
// recorded as finished with it.
type HistoryUnit struct {
	Key         string // the file's name in the export: checkpoint key and what reports name
	Channel     ChannelRef
	ChannelName string
	Private     bool
}

// HistoryMessage is a message of an export with where it was read.
type HistoryMessage struct {
	Message
	Line int    // line of the unit's file where the message starts (or ends)
	Skip string // why the adapter could not use it (unknown subtype…); empty when usable
}

// ImportProgress is reported while importing.
type ImportProgress struct {
	Phase     string // "checking" (nothing written yet) or "importing"
	Units     int
	UnitsDone int
	Messages  int64
}

// ImportOptions change what an import does.
type ImportOptions struct {
	// Detect lets the detector propose entries from the export's threads
	// that nobody captured: exchanges it scores as it would live are saved
	// with status detected, for members to confirm.
	Detect bool
	// Progress, when not nil, is told how the import goes.
	Progress func(ImportProgress)
}

// ImportSummary is what an import did.
type ImportSummary struct {
	Channels  int
	Units     int
	Resumed   int   // units an earlier run had written already
	Messages  int64 // messages read
	Created   int
	Updated   int
	Unchanged int
	Detected  int               // threads the detector proposed as entries (with Detect)
	Skipped   map[string]int    // reason → messages or reactions left out
	FirstSkip map[string]string // reason → "file:line" of its first occurrence
}

// ErrBrokenInput marks an export that cannot be imported; nothing was written.
var ErrBrokenInput = errors.New("broken export")

// Import reads a whole export twice: first to check it (nothing is written
// when any file is broken, so there is never a half-written import) and to
// note which thread openings and threads the entries need, then to write it
// one unit per transaction, each recorded as finished so an interrupted
// import resumes. Messages reacted with a capture emoji become entries
// crediting their authors, with the first reactor as saver and the others as
// votes; "@repertoire save" in a thread saves its question and best reply, as
// it would have live. With opts.Detect, threads nobody captured are scored
// by the detector once their channel has been read, and the exchanges it
// would have kept are saved with status detected. Memory holds the needed
// openings and threads (with Detect, one channel's threads at a time), not
// the export.
func (b *Bot) Import(ctx context.Context, h History, opts ImportOptions) (ImportSummary, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(ImportProgress) {}
	}
	// A detecting import writes more than a plain one: its own checkpoints.
	importID := h.ID()
	if opts.Detect {
		importID += "+detect"
	}
	units := h.Units()
	lastUnit := map[ChannelRef]int{} // a channel's last unit: where its detections are written
	for i, u := range units {
		lastUnit[u.Channel] = i
	}
	sum := ImportSummary{Units: len(units), Skipped: map[string]int{}, FirstSkip: map[string]string{}}
	channels := map[ChannelRef]bool{}
	for _, u := range units {
		channels[u.Channel] = true
	}
	sum.Channels = len(channels)
	addr := []string{"@" + strings.ToLower(b.cfg.Name)}
	if a, ok := h.(Addresser); ok {
		for _, s := range a.Addresses(b.cfg.Name) {
			addr = append(addr, strings.ToLower(s))
		}
	}
	imp := importer{b: b, addr: addr, needRoot: map[threadKey]bool{}, needThread: map[threadKey]bool{}, detect: opts.Detect,
		replies: map[ChannelRef]map[string]int32{}, captured: map[threadKey]bool{}}

	// Pass 1: check everything, write nothing.
	for i, u := range units {
		err := h.Read(ctx, u, func(m HistoryMessage) error {
			sum.Messages++
			kinds := len(sum.Skipped)
			if m.Skip != "" {
				sum.Skipped[m.Skip]++
			} else {
				imp.plan(u, m, sum.Skipped)
			}
			if len(sum.Skipped) > kinds {
				for r := range sum.Skipped {
					if _, ok := sum.FirstSkip[r]; !ok {
						sum.FirstSkip[r] = fmt.Sprintf("%s:%d", u.Key, m.Line)
					}
				}
			}
			if sum.Messages%10000 == 0 {
				progress(ImportProgress{Phase: "checking", Units: len(units), UnitsDone: i, Messages: sum.Messages})
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return sum, fmt.Errorf("check %s: %w", u.Key, ctx.Err())
			}
			return sum, fmt.Errorf("%w: %w", ErrBrokenInput, err)
		}
		progress(ImportProgress{Phase: "checking", Units: len(units), UnitsDone: i + 1, Messages: sum.Messages})
	}
	imp.planDetection()
	imp.rootOf = nil // the writing pass rebuilds it

	// Pass 2: write, one unit per transaction, skipping finished units.
	done, err := b.store.FinishedUnits(ctx, importID)
	if err != nil {
		return sum, err
	}
	var read int64
	for i, u := range units {
		if !imp.sameChannel(u) {
			imp.roots, imp.threads, imp.convs = map[threadKey]Message{}, map[threadKey][]Message{}, map[threadKey][]Message{}
		}
		if done[u.Key] {
			sum.Resumed++
			if !imp.channelNeeds(u.Channel) {
				continue
			}
		} else if !imp.channelNeeds(u.Channel) {
			// Nothing in this channel makes an entry: record the unit as
			// finished without reading it again.
			_, err := b.importBatch(ctx, repertoire.Batch{Import: importID, Unit: u.Key})
			if errors.Is(err, repertoire.ErrAlreadyApplied) {
				sum.Resumed++
			} else if err != nil {
				return sum, fmt.Errorf("import %s: %w", u.Key, err)
			}
			progress(ImportProgress{Phase: "importing", Units: len(units), UnitsDone: i + 1, Messages: read})
			continue
		}
		var records []repertoire.Record
		chunk := importChunk
		// A unit's entries are written in chunks as they are read: memory
		// stays bounded whatever the file holds, and no transaction holds
		// the write lock long enough for the running bot to wait on it.
		// The unit is recorded finished with its last chunk; a rerun after
		// an interruption writes its earlier chunks again, which changes
		// nothing (records upsert by source).
		flush := func() error {
			if err := b.importBackoff(ctx); err != nil {
				return err
			}
			start := time.Now()
			res, err := b.importBatch(ctx, repertoire.Batch{Import: importID, Records: records})
			if err != nil {
				return fmt.Errorf("import %s: %w", u.Key, err)
			}
			sum.Created += res.Created
			sum.Updated += res.Updated
			sum.Unchanged += res.Unchanged
			chunk = nextImportChunk(len(records), time.Since(start))
			records = records[:0]
			return sleepCtx(ctx, importYield)
		}
		err := h.Read(ctx, u, func(m HistoryMessage) error {
			read++
			if m.Skip == "" {
				if r, ok := imp.entry(u, m); ok && !done[u.Key] {
					records = append(records, r)
					if len(records) >= chunk {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			}
			if read%10000 == 0 {
				progress(ImportProgress{Phase: "importing", Units: len(units), UnitsDone: i, Messages: read})
			}
			return nil
		})
		if err != nil {
			// Interrupted, or the file changed since it was checked: what
			// is written stays, and a rerun resumes after it.
			return sum, fmt.Errorf("read %s again: %w", u.Key, err)
		}
		// Threads the detector scored in this unit (complete now), and at
		// the channel's end those that never completed.
		detected := imp.pending
		imp.pending = nil
		if lastUnit[u.Channel] == i {
			detected = append(detected, imp.detections(u)...)
		}
		if !done[u.Key] {
			sum.Detected += len(detected)
			records = append(records, detected...)
			res, err := b.importBatch(ctx, repertoire.Batch{Import: importID, Unit: u.Key, Records: records})
			switch {
			case errors.Is(err, repertoire.ErrAlreadyApplied):
				sum.Resumed++
			case err != nil:
				return sum, fmt.Errorf("import %s: %w", u.Key, err)
			}
			sum.Created += res.Created
			sum.Updated += res.Updated
			sum.Unchanged += res.Unchanged
		}
		progress(ImportProgress{Phase: "importing", Units: len(units), UnitsDone: i + 1, Messages: read})
	}
	b.log.DebugContext(ctx, "import finished", "import", importID, "units", sum.Units, "created", sum.Created)
	return sum, nil
}

type threadKey struct {
	ch     ChannelRef
	thread string
}

// importer carries what the two passes share.
type importer struct {
	b          *Bot
	addr       []string // lower-case ways a message addresses the bot
	needRoot   map[threadKey]bool
	needThread map[threadKey]bool
	chans      map[ChannelRef]bool // channels with entries to make: the writing pass reads only these
	last       ChannelRef
	roots      map[threadKey]Message
	threads    map[threadKey][]Message

	// With detection: replies per thread (after the checking pass, of the
	// threads to score only), the threads a capture or a save command
	// already covers (checking pass), and the messages of open threads as
	// the writing pass reads them.
	detect   bool
	replies  map[ChannelRef]map[string]int32 // by channel, then thread: compact for exports of millions
	captured map[threadKey]bool
	convs    map[threadKey][]Message
	pending  []repertoire.Record // detections of the unit being read
	// rootOf maps a reply of the channel being read to its conversation's
	// opening message: Discord exports name only the message replied to, so
	// chains are followed. Both passes rebuild it channel by channel (a
	// chain never leaves its channel), so it holds one channel at a time.
	rootOf    map[threadKey]string
	rootsOfCh ChannelRef
}

// conversation returns the key of the conversation m belongs to for
// detection, following reply chains, and records m's for the replies to it.
// Messages must come channel by channel, oldest first.
func (im *importer) conversation(ch ChannelRef, m Message) threadKey {
	if ch != im.rootsOfCh || im.rootOf == nil {
		im.rootOf, im.rootsOfCh = map[threadKey]string{}, ch
	}
	id := threadKey{ch, m.Ref.ID}
	if root, ok := im.rootOf[id]; ok {
		return threadKey{ch, root}
	}
	if m.Ref.Thread == "" || m.Ref.Thread == m.Ref.ID {
		return id
	}
	root := m.Ref.Thread
	if r, ok := im.rootOf[threadKey{ch, root}]; ok {
		root = r
	}
	im.rootOf[id] = root
	return threadKey{ch, root}
}

func (im *importer) sameChannel(u HistoryUnit) bool {
	same := im.roots != nil && im.last == u.Channel
	im.last = u.Channel
	return same
}

func (im *importer) channelNeeds(ch ChannelRef) bool { return im.chans[ch] }

func (im *importer) need(set map[threadKey]bool, k threadKey) {
	set[k] = true
	im.mark(k.ch)
}

func (im *importer) mark(ch ChannelRef) {
	if im.chans == nil {
		im.chans = map[ChannelRef]bool{}
	}
	im.chans[ch] = true
}

// addressed returns the rest of a message that addresses the bot ("@repertoire …",
// "<@U123> …").
func (im *importer) addressed(text string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	for _, a := range im.addr {
		if rest, ok := strings.CutPrefix(t, a); ok {
			return strings.TrimLeft(rest, ": ,"), true
		}
	}
	return "", false
}

func (im *importer) isAddressed(text string) bool {
	_, ok := im.addressed(text)
	return ok
}

// command returns the arguments of a "save" addressed to the bot.
func (im *importer) command(text string) (string, bool) {
	rest, ok := im.addressed(text)
	if !ok {
		return "", false
	}
	verb, args := splitCommand(rest)
	return args, verb == "save" || verb == "keep"
}

// plan notes, in the checking pass, what the writing pass needs to keep and
// counts what will be skipped.
func (im *importer) plan(u HistoryUnit, m HistoryMessage, skipped map[string]int) {
	var conv threadKey
	if im.detect {
		if conv = im.conversation(u.Channel, m.Message); conv.thread != m.Ref.ID {
			byThread := im.replies[conv.ch]
			if byThread == nil {
				byThread = map[string]int32{}
				im.replies[conv.ch] = byThread
			}
			byThread[conv.thread]++
		}
	}
	if _, ok := im.command(m.Text); ok {
		im.covered(conv)
		if m.Ref.Thread == "" || m.Ref.Thread == m.Ref.ID {
			skipped["save command outside a thread"]++
			return
		}
		im.need(im.needThread, threadKey{u.Channel, m.Ref.Thread})
		return
	}
	if _, _, _, ok := im.capture(m, skipped); !ok {
		return
	}
	im.covered(conv)
	im.mark(u.Channel)
	if m.Ref.Thread != "" && m.Ref.Thread != m.Ref.ID {
		im.need(im.needRoot, threadKey{u.Channel, m.Ref.Thread})
	}
}

// capture applies the capture rules to a message's reactions: the first
// capture reaction gives the kind and the saver, every other member reacting
// with a capture emoji votes. Bots, the bot's own posts and requests to it
// are not captured, and an author or reactor the export does not name is left
// out (counted in skipped when it is not nil).
func (im *importer) capture(m HistoryMessage, skipped map[string]int) (repertoire.Kind, *User, []User, bool) {
	var (
		kind   repertoire.Kind
		saver  *User
		voters []User
		seen   = map[string]bool{}
	)
	count := func(reason string) {
		if skipped != nil {
			skipped[reason]++
		}
	}
	for _, r := range m.Reactions {
		k, ok := im.b.CaptureKind(r.Emoji)
		if !ok || r.User.Bot || seen[r.User.ID] {
			continue
		}
		if r.User.Name == "" {
			count("reactor the export does not name")
			continue
		}
		seen[r.User.ID] = true
		if saver == nil {
			kind, saver = k, &User{ID: r.User.ID, Name: r.User.Name}
			continue
		}
		voters = append(voters, r.User)
	}
	if saver == nil {
		return "", nil, nil, false
	}
	switch {
	case m.Author.Bot || im.isAddressed(m.Text):
		count("bot message or request to the bot")
		return "", nil, nil, false
	case m.Author.Name == "":
		count("captured message whose author the export does not name")
		return "", nil, nil, false
	case strings.TrimSpace(m.Text) == "":
		count("captured message without text")
		return "", nil, nil, false
	case len(m.Text) > repertoire.MaxTextBytes:
		count("captured message too long")
		return "", nil, nil, false
	}
	return kind, saver, voters, true
}

// covered notes, when detecting, that a capture or a save command keeps
// conv already: the detector leaves it alone.
func (im *importer) covered(conv threadKey) {
	if im.detect {
		im.captured[conv] = true
	}
}

// planDetection picks, after the checking pass, the threads the detector
// will score: those with replies that no capture or save command covers.
func (im *importer) planDetection() {
	for tk := range im.captured {
		delete(im.replies[tk.ch], tk.thread)
	}
	for ch, byThread := range im.replies {
		if len(byThread) > 0 {
			im.mark(ch)
		}
	}
	im.captured = nil
}

// detections scores, once a channel's last unit is read, its uncaptured
// threads that never completed (a reply the export lacks) and returns the
// exchanges the detector would have kept live, as detected entries.
func (im *importer) detections(u HistoryUnit) []repertoire.Record {
	keys := make([]threadKey, 0, len(im.convs))
	for tk := range im.convs {
		keys = append(keys, tk)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].thread < keys[j].thread })
	var out []repertoire.Record
	for _, tk := range keys {
		if r, ok := im.assess(u, tk, im.convs[tk]); ok {
			out = append(out, r)
		}
	}
	im.convs = map[threadKey][]Message{}
	return out
}

// assess scores one uncaptured thread as the detector would have live.
func (im *importer) assess(u HistoryUnit, tk threadKey, conv []Message) (repertoire.Record, bool) {
	sort.SliceStable(conv, func(i, j int) bool { return conv[i].Time.Before(conv[j].Time) })
	if len(conv) < 2 || conv[0].Ref.ID != tk.thread {
		return repertoire.Record{}, false // the opening message is not in the export
	}
	ex := Assess(conv, im.b.cfg.Name)
	if !ex.Found || ex.Score < DetectThreshold || ex.Answer.Author.Bot {
		return repertoire.Record{}, false
	}
	q := ex.Question
	p := im.b.saveParams("", ex.Kind, &q, ex.Answer, u.Private || ex.Answer.Private || q.Private)
	r, ok := record(p, u, ex.Answer.Time, nil, nil)
	r.Status = repertoire.Detected
	return r, ok
}

// entry returns the entry a message makes, in the writing pass.
func (im *importer) entry(u HistoryUnit, m HistoryMessage) (repertoire.Record, bool) {
	tk := threadKey{u.Channel, m.Ref.Thread}
	if m.Ref.Thread == "" {
		tk.thread = m.Ref.ID
	}
	if im.detect {
		// A thread is scored as soon as all its messages are read, so only
		// open threads are held.
		if conv := im.conversation(u.Channel, m.Message); im.replies[conv.ch][conv.thread] > 0 {
			im.convs[conv] = append(im.convs[conv], m.Message)
			if len(im.convs[conv]) == int(im.replies[conv.ch][conv.thread])+1 { // with its opening
				if r, ok := im.assess(u, conv, im.convs[conv]); ok {
					im.pending = append(im.pending, r)
				}
				delete(im.convs, conv)
			}
		}
	}
	if im.needRoot[threadKey{u.Channel, m.Ref.ID}] {
		im.roots[threadKey{u.Channel, m.Ref.ID}] = m.Message
	}
	if args, ok := im.command(m.Text); ok {
		if im.needThread[tk] {
			r, ok := im.saveCommand(u, m, args)
			im.threads[tk] = append(im.threads[tk], m.Message)
			return r, ok
		}
		return repertoire.Record{}, false
	}
	if im.needThread[tk] {
		im.threads[tk] = append(im.threads[tk], m.Message)
	}
	kind, saver, voters, ok := im.capture(m, nil)
	if !ok {
		return repertoire.Record{}, false
	}
	var question *Message
	if m.Ref.Thread != "" && m.Ref.Thread != m.Ref.ID {
		if q, ok := im.roots[tk]; ok {
			question = &q
		}
	}
	p := im.b.saveParams("", kind, question, m.Message, u.Private || m.Private)
	ends := []repertoire.Endorsement{{Person: repertoire.Person{ID: saver.ID, Name: saver.Name}, At: m.Time}}
	var votes []repertoire.Endorsement
	for _, v := range voters {
		votes = append(votes, repertoire.Endorsement{Person: repertoire.Person{ID: v.ID, Name: v.Name}, At: m.Time})
	}
	return record(p, u, m.Time, ends, votes)
}

// saveCommand is "@repertoire save" met in an export: the thread's opening
// question and its best reply among those posted before the command.
func (im *importer) saveCommand(u HistoryUnit, m HistoryMessage, args string) (repertoire.Record, bool) {
	thread := im.threads[threadKey{u.Channel, m.Ref.Thread}]
	if len(thread) == 0 || thread[0].Ref.ID != m.Ref.Thread {
		return repertoire.Record{}, false // the opening message is not in the export
	}
	kind := commandKind(args, repertoire.Solution)
	question, answer := &thread[0], thread[0]
	if best, ok := BestReply(thread, m.Ref.ID, im.b.cfg.Name); ok {
		answer = best
	} else {
		question, kind = nil, repertoire.Tip
	}
	if answer.Author.Name == "" || answer.Author.Bot {
		return repertoire.Record{}, false
	}
	p := im.b.saveParams("", kind, question, answer, u.Private || m.Private)
	p.Tags = append(p.Tags, Hashtags(args)...)
	saver := []repertoire.Endorsement{{Person: repertoire.Person{ID: m.Author.ID, Name: m.Author.Name}, At: m.Time}}
	return record(p, u, m.Time, saver, nil)
}

func record(p repertoire.SaveParams, u HistoryUnit, at time.Time, savers, voters []repertoire.Endorsement) (repertoire.Record, bool) {
	if p.Channel.Name == "" {
		p.Channel.Name = u.ChannelName
	}
	r := repertoire.Record{
		Channel: p.Channel, SourceID: p.SourceID, ThreadID: p.ThreadID, QuestionID: p.QuestionID,
		Permalink: p.Permalink, Kind: p.Kind, Status: repertoire.Saved, Question: p.Question,
		QuestionAuthor: p.QuestionAuthor, Answer: p.Answer, Author: p.Author, Tags: p.Tags,
		Savers: savers, Voters: voters, CreatedAt: at, UpdatedAt: at,
	}
	if err := r.Validate(); err != nil {
		return repertoire.Record{}, false
	}
	return r, true
}

// commandKind is the kind a save command names, or def.
func commandKind(args string, def repertoire.Kind) repertoire.Kind {
	for _, w := range strings.Fields(args) {
		if k := repertoire.Kind(strings.ToLower(w)); k.Valid() {
			def = k
		}
	}
	return def
}

// SortedSkips lists skip reasons, most frequent first, for summaries.
func (s ImportSummary) SortedSkips() []string {
	var out []string
	for r := range s.Skipped {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if s.Skipped[out[i]] != s.Skipped[out[j]] {
			return s.Skipped[out[i]] > s.Skipped[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// importBatch writes one batch, trying again while the store reports the
// database busy (another process writing without a pause, a running bot
// applying a backlog): an import waits for its turn rather than stop.
func (b *Bot) importBatch(ctx context.Context, batch repertoire.Batch) (repertoire.BatchResult, error) {
	for try := 1; ; try++ {
		res, err := b.store.ImportBatch(ctx, batch)
		if err == nil || !b.store.Transient(err) || try == importTries {
			return res, err
		}
		b.log.WarnContext(ctx, "import: the database is busy; trying the batch again", "try", try, logErr, err)
		if err := sleepCtx(ctx, time.Duration(try)*time.Second); err != nil {
			return res, err
		}
	}
}

// importTries is how many times a batch is tried while the database is busy.
const importTries = 6

// importBackoff waits while the inbox is deep and being applied: its
// oldest pending delivery moves on between two looks. A deep inbox that
// does not move (no bot running, or one that skips a platform's deliveries)
// is no reason to wait. The bot's acknowledgements never wait on this:
// they commit between the import's transactions anyway.
func (b *Bot) importBackoff(ctx context.Context) error {
	n, oldest, err := b.store.InboxDepth(ctx)
	if err != nil || n <= importInboxDeep {
		return nil // the import goes on; its transactions are short either way
	}
	for waited := time.Duration(0); waited < importBackoffMax; waited += importBackoffStep {
		if err := sleepCtx(ctx, importBackoffStep); err != nil {
			return err
		}
		m, next, err := b.store.InboxDepth(ctx)
		if err != nil || m <= importInboxDeep || !next.After(oldest) {
			return nil
		}
		oldest = next
	}
	return nil
}
