package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// mentioned answers a member who addressed the bot: a command word first
// (help, save, ask, forget me), anything else is a question to recall.
func (b *Bot) mentioned(ctx context.Context, ev Mentioned) error {
	if ev.Message.Author.Bot {
		return nil
	}
	var err error
	ev.Text = requestText(ev.Text) // "@repertoire : help" is "help"
	verb, args := splitCommand(ev.Text)
	if !isCommand(verb, args) {
		verb = "" // a question that starts with a command word
		if strings.TrimSpace(ev.Text) != "" {
			verb = "question"
		}
	}
	talk := ""
	if !commandVerbs[verb] && !recallVerbs[verb] && ev.Via != ViaCommand { // "ask ok" and /ask search
		talk = smallTalk(ev.Text) // "thanks!", "ok": no search
	}
	switch {
	case talk != "":
		verb = "talk"
	case !commandVerbs[verb] && !recallVerbs[verb] && ev.Via != ViaCommand && b.aboutTheBot(ev.Text):
		verb = "help" // "what can you do?"
	case strings.EqualFold(strings.Trim(ev.Text, " ?!."), "forget"):
		verb = "forget-how" // "forget" alone: how to be forgotten
	}
	// The message asked once, whichever deliveries carry it (a redelivery,
	// a live event and catch-up's after downtime): one answer, one write.
	// A save, an unsave or a forget records it with its write (durable.go), so a
	// write that fails is tried again by the retry; any other request is
	// marked answered before it is answered.
	if !recordsWithWrite(verb) {
		if first, err := b.answerOnce(ctx, ev); err != nil {
			b.replyErrorUnlessRetried(ctx, ev, err) // nothing marked: a retry answers
			return err
		} else if !first {
			return nil
		}
	}
	switch verb {
	case "", "help", "?":
		if b.inDM(ev) {
			err = b.reply(ctx, ev, b.dmHelp()...)
		} else {
			err = b.reply(ctx, ev, b.help()...)
		}
	case "talk":
		err = b.smallTalkReply(ctx, ev, talk)
	case "unsave":
		err = b.unsave(ctx, ev) // unsave.go
	case "forget-how":
		err = b.reply(ctx, ev, "To remove everything you wrote and saved from the repertoire, say "+b.commandText(ev, "forget me")+" (I ask you to confirm first). To take back one save, remove your reaction; deleting one of your messages removes what was saved from it.")
	case "save", "keep":
		err = b.saveThread(ctx, ev, args)
	case "forget":
		if strings.EqualFold(strings.TrimSpace(args), "me") {
			err = b.forget(ctx, ev)
		} else {
			err = b.recall(ctx, ev, ev.Text)
		}
	case "digest":
		err = b.digestCommand(ctx, ev, args)
	case "detect", "detection":
		err = b.setDetect(ctx, ev, args) // in a DM: a channel's setting
	case "nudges", "nudge":
		err = b.setNudges(ctx, ev, args)
	case "why":
		err = b.why(ctx, ev)
	case "web", "signin", "login":
		err = b.webLink(ctx, ev)
	case "ask", "recall", "search", "find":
		err = b.recall(ctx, ev, args)
	default:
		err = b.recall(ctx, ev, ev.Text)
	}
	if err != nil {
		if recordsWithWrite(verb) {
			b.replyErrorUnlessRetried(ctx, ev, err) // a retry does it again
		} else {
			b.replyError(ctx, ev, err) // marked answered: a retry says nothing
		}
		if memberError(err) {
			return nil // explained to the member; nothing failed on our side
		}
		return fmt.Errorf("answer %s: %w", verb, err)
	}
	return nil
}

// commandVerbs are the words that make a mention a command to the bot
// (mentioned's switch) when isCommand says the whole message is one; any
// other first word asks recall a question.
var commandVerbs = setOf("help ? save keep unsave forget digest why detect detection nudges nudge web signin login")

// isCommand reports whether a message is a command as a whole, not a
// question that starts with a command word: "why" is a command, "why does
// webpack run out of memory?" a question; "help" is, "help with nginx" is not.
func isCommand(verb, args string) bool {
	rest := strings.Fields(strings.ToLower(strings.Trim(args, " ?!.")))
	first := ""
	if len(rest) > 0 {
		first = rest[0]
	}
	switch verb {
	case "", "help", "?", "why":
		return len(rest) == 0
	case "save", "keep":
		for _, w := range rest {
			if !strings.HasPrefix(w, "#") && !repertoire.Kind(w).Valid() && w != "this" && w != "it" && w != "as" && w != "a" {
				return false
			}
		}
		return true
	case "forget":
		return len(rest) == 1 && first == "me"
	case "digest":
		return len(rest) <= 1 || digestWords[first]
	case "detect", "detection", "nudges", "nudge":
		return len(rest) <= 1 // one word is a setting, or its usage is explained
	case "web", "signin", "login":
		return len(rest) == 0
	case "unsave":
		return len(rest) == 0 || (len(rest) == 1 && (first == "this" || first == "it"))
	}
	return true // recall verbs take a question; any other word is a question already
}

var digestWords = setOf("status now off stop quiet weekly daily cron")

// memberError reports whether err is about what the member asked, not a failure.
func memberError(err error) bool {
	return errors.Is(err, errNeedThread) || errors.Is(err, errNothingToSave) || errors.Is(err, errTooLittle) || errors.Is(err, repertoire.ErrInvalid)
}

// splitCommand returns the first word, lower case, and the rest.
func splitCommand(text string) (verb, args string) {
	text = strings.TrimSpace(text)
	verb, args, _ = strings.Cut(text, " ")
	if i := strings.IndexAny(verb, "\n\t"); i >= 0 {
		verb, args = verb[:i], verb[i+1:]+" "+args
	}
	return strings.ToLower(strings.TrimPrefix(verb, "/")), strings.TrimSpace(args)
}

// captureList names the capture emoji by kind: "💡 (tip), ✅ (solution) or
// 📖 (story)". Emoji shown as characters where the map has them, else as
// :shortcode:.
func (b *Bot) captureList() string {
	var parts []string
	for _, k := range []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo} {
		var chars, codes []string
		for e, kind := range b.cfg.Capture {
			switch {
			case kind != k:
			case isASCII(e):
				codes = append(codes, ":"+e+":")
			default:
				chars = append(chars, e)
			}
		}
		if len(chars) == 0 {
			chars = codes
		}
		if len(chars) == 0 {
			continue
		}
		slices.Sort(chars)
		parts = append(parts, strings.Join(chars, " or ")+" ("+string(k)+")")
	}
	return joinWords(parts, "or")
}

func (b *Bot) help() []string {
	n := "@" + b.cfg.Name
	return []string{
		"I keep this community's repertoire: the tips, solutions and stories worth finding again.",
		strings.Join([]string{
			"• React " + b.captureList() + " to a message to save it; more reactions count as votes, and taking yours back undoes your save.",
			"• `" + n + " save [how-we-do|tip|solution|story] #tag …` in a thread saves its question and best reply; `" + n + " unsave` there takes your save or vote back.",
			"• `" + n + " <question>` or `" + n + " ask <question>` finds the best past answers; narrow it with `\"exact phrase\"`, `-word`, `tag:tls`, `kind:solution`, `from:@member` or `in:#channel`.",
			"• `" + n + " digest weekly mon 09:00 [Europe/Berlin]`, `digest daily 17:30`, `digest off`, `digest now`, `digest status`: this channel's digest of what it learned.",
			"• `" + n + " detect suggest|auto|off` sets what I do with useful exchanges I spot in this channel; `" + n + " why` in the thread of a suggestion says why I made it.",
			"• `" + n + " nudges on|off` lets me answer questions in this channel that the repertoire already answers well (once per thread).",
			"• `" + n + " web` sends you a private one-time link to sign in to the repertoire's web page.",
			"• `" + n + " forget me` removes everything you wrote and saved from the repertoire.",
			"• `" + n + " help` shows this.",
		}, "\n"),
	}
}

// inDM reports whether ev was said in a direct message with the bot, by DM
// or by a mention or command there.
func (b *Bot) inDM(ev Mentioned) bool {
	return ev.Via == ViaDM || b.direct(ev.Message.Ref.Channel)
}

// dmHelp is the help in a direct message: what works there, said without
// the bot's name, and where the channel settings are made.
func (b *Bot) dmHelp() []string {
	return []string{
		"I keep this community's repertoire: the tips, solutions and stories worth finding again. Here, in our direct message:",
		strings.Join([]string{
			"• Ask me a question, no need for my name: I find the best past answers from the channels you can see; narrow it with `\"exact phrase\"`, `-word`, `tag:tls`, `kind:solution`, `from:@member` or `in:#channel`.",
			"• React " + b.captureList() + " to one of your messages here to keep it as a private note: it is only ever found here.",
			"• `digest weekly mon 09:00 [Europe/Berlin]`, `digest off`, `digest now`, `digest status`: a digest of the notes kept here.",
			"• `web` sends you a one-time link to sign in to the repertoire's web page.",
			"• `forget me` removes everything you wrote and saved from the repertoire.",
			"• `help` shows this.",
		}, "\n"),
		"Saving a thread with `save`, detection and nudges belong to channels: say `@" + b.cfg.Name + " help` in one to see how.",
	}
}

// forgetConfirmWithin is how long a first "forget me" waits for the second
// that confirms it.
const forgetConfirmWithin = 5 * time.Minute

// forget removes a member's words and traces, once they confirmed: the
// first "forget me" says what it will remove, a second within
// forgetConfirmWithin does it. The second must be another request: a
// redelivery of the first confirms nothing. The request awaiting its
// confirmation is kept in the store, so a confirmation after a restart
// still confirms, and one that comes too late is told the first expired.
func (b *Bot) forget(ctx context.Context, ev Mentioned) error {
	platform, user := ev.Message.Ref.Channel.Platform, ev.Message.Author.ID
	now := b.cfg.Now()
	asked, err := b.store.ForgetAsked(ctx, platform, user)
	pending := err == nil && asked.Request != mentionKey(ev)
	if err != nil && !errors.Is(err, repertoire.ErrNotFound) {
		return err
	}
	age := now.Sub(asked.At)
	if !pending || age < 0 || age > forgetConfirmWithin {
		// Only answering: the request is kept, then marked answered, so a
		// redelivery of it neither asks again nor confirms.
		if err := b.store.AskForget(ctx, platform, user, repertoire.ForgetRequest{Request: mentionKey(ev), At: now}); err != nil {
			return err
		}
		if first, err := b.answerOnce(ctx, ev); err != nil || !first {
			return err
		}
		text := fmt.Sprintf("This removes from the repertoire every entry you wrote, the questions you asked, your saves, votes and open questions, and what I logged of your messages. It cannot be undone. To go ahead, say %s again within %d minutes.",
			b.commandText(ev, "forget me"), int(forgetConfirmWithin/time.Minute))
		if pending && age > forgetConfirmWithin {
			text = fmt.Sprintf("Your earlier %s expired (it must be confirmed within %d minutes), so nothing was removed. ", b.commandText(ev, "forget me"), int(forgetConfirmWithin/time.Minute)) + text
		}
		return b.replyAside(ctx, ev, text)
	}
	// Confirmed. Forgetting twice removes nothing more, so the request is
	// marked answered after the forget: one that fails stays confirmed and
	// its retry forgets; a redelivery after it says nothing.
	// A digest of their notes they set in their DM with the bot stops (the
	// store forgets who set it, so this goes first; a retry does it again).
	if err := b.stopDirectDigests(ctx, platform, user); err != nil {
		return err
	}
	// Tags that came from their questions go with the questions' text.
	f, err := b.store.ForgetUserWith(ctx, ev.Message.Ref.Channel.Platform, ev.Message.Author.ID, func(question, answer string) []string {
		var only []string
		inAnswer := Hashtags(answer)
		for _, t := range Hashtags(question) {
			if !slices.Contains(inAnswer, t) {
				only = append(only, t)
			}
		}
		return only
	})
	if err != nil {
		return err
	}
	first, err := b.answerOnce(ctx, ev)
	if err != nil {
		return err
	}
	if !first {
		return nil
	}
	b.log.InfoContext(ctx, "member forgotten", logUser, ev.Message.Author.ID, "entries", f.Entries)
	return b.replyAside(ctx, ev, forgottenReply(f))
}

// stopDirectDigests turns off the digests a member set in their direct
// messages with the bot: after forget me, nothing keeps writing to them
// ("a quiet period here: you kept no new note") as if they were known.
func (b *Bot) stopDirectDigests(ctx context.Context, platform, user string) error {
	scheds, err := b.store.DigestSchedules(ctx)
	if err != nil {
		return err
	}
	for _, r := range scheds {
		ch := ChannelRef{Platform: r.Channel.Platform, Space: r.Channel.Space, ID: r.Channel.ID}
		if r.Channel.Platform != platform || r.UpdatedBy != user || user == "" || !r.Enabled || !b.direct(ch) {
			continue
		}
		r.Enabled, r.UpdatedBy, r.UpdatedAt = false, "", b.cfg.Now()
		if err := b.store.SetDigestSchedule(ctx, r); err != nil {
			return err
		}
		b.log.InfoContext(ctx, "a forgotten member's DM digest turned off", logChannel, ch.ID)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// recall answers a question with the entries the asking channel may see
// that answer it (Relevant), or says it has nothing; a real question asked
// where others can see it is then kept as open (openQuestion).
func (b *Bot) recall(ctx context.Context, ev Mentioned, question string) error {
	if strings.TrimSpace(question) == "" {
		return b.reply(ctx, ev, "Ask me a question after the mention, for example `@"+b.cfg.Name+" how do we rotate the TLS cert?`")
	}
	from := ev.Message.Ref.Channel
	start := time.Now()
	hits, err := SearchExpanded(ctx, b.store, repertoire.SearchParams{ // expand.go: a second pass when ExpandWords > 0
		Text:   question,
		From:   repertoire.Channel{Platform: from.Platform, Space: from.Space, ID: from.ID, Private: ev.Message.Private},
		Spaces: ev.Spaces,
		Limit:  max(RecallCandidates, RerankPool),
	}, ExpandWords)
	if err != nil {
		return err
	}
	ranked := RerankWith(question, hits, DefaultRerank, b.associations(ctx, question)) // rerank.go: order only
	hits = Relevant(question, ranked, DefaultGate)
	var related []repertoire.Hit
	if len(hits) == 0 {
		related = b.related(ctx, question, ranked) // related.go: shown apart when nothing answers
	}
	intro := fmt.Sprintf("Here is what the repertoire has on “%s”:", oneLine(question, 80))
	if phrases := Phrases(question); len(phrases) > 0 && len(hits) > 0 {
		var with []repertoire.Hit
		for _, h := range hits {
			all := true
			for _, p := range phrases {
				all = all && HasPhrase(h, p)
			}
			if all {
				with = append(with, h)
			}
		}
		if len(with) > 0 {
			hits = with
		} else {
			quoted := make([]string, len(phrases))
			for i, p := range phrases {
				quoted[i] = "“" + strings.Join(p, " ") + "”"
			}
			intro = fmt.Sprintf("No entry has the exact phrase %s. These have its words:", joinWords(quoted, "or"))
		}
	}
	if len(hits) > RecallShown {
		hits = hits[:RecallShown]
	}
	b.cfg.Observer.Recalled(time.Since(start), len(hits) > 0)
	b.recordRecallUse(ctx, ev, len(hits) > 0)
	if len(hits) == 0 && len(related) > 0 {
		return b.replyRelated(ctx, ev, question, related)
	}
	if len(hits) == 0 {
		return b.reply(ctx, ev, b.openQuestion(ctx, ev, question))
	}
	ref, err := b.replyDoc(ctx, ev, RecallDoc(intro, hits))
	if err != nil {
		return err
	}
	b.recordRecall(ctx, ref, hits)
	return nil
}

// RecallCandidates is how many hits recall asks the search for before the
// relevance gate keeps those that answer (at most RecallShown are shown).
const RecallCandidates = 6

// RecallShown is how many entries a recall answer shows at most.
const RecallShown = 3

// RecallDoc is a recall answer: its opening sentence, the hits as entries
// with feedback buttons, and the invitation to use them.
func RecallDoc(intro string, hits []repertoire.Hit) Doc {
	entries := make([]DocEntry, len(hits))
	for i, h := range hits {
		entries[i] = HitEntry(i+1, h)
		entries[i].Actions = FeedbackActions(h.ID)
	}
	return Doc{Blocks: []Block{
		Para(T(intro)),
		Entries(entries...),
		feedbackHint(),
	}}
}

// HitEntry is one recall result as a document entry: title, the snippet
// with its matches, kind, credit, votes and link.
func HitEntry(n int, h repertoire.Hit) DocEntry {
	meta := fmt.Sprintf("%s by %s", h.Kind, displayName(h.Author))
	if h.Votes > 0 {
		meta += fmt.Sprintf(" · %d %s", h.Votes, plural(h.Votes, "vote", "votes"))
	}
	if h.Status == repertoire.Detected {
		meta += " · spotted by me, not confirmed yet (a 💡 on the message confirms it)"
	}
	h = afterTitle(h, hitTitleRunes)
	return DocEntry{N: n, Title: oneLine(h.Title(), hitTitleRunes), Body: highlighted(h.Snippet, h.Highlights, 240),
		Meta: []Span{T(meta)}, Link: h.Permalink}
}

// hitTitleRunes is how long a recall result's title may be.
const hitTitleRunes = 100

// FormatHit renders one recall result as plain text (the command line).
func FormatHit(n int, h repertoire.Hit) string { return PlainEntry(HitEntry(n, h)) }

func displayName(p repertoire.Person) string {
	if p.Name != "" {
		return p.Name
	}
	return "a member"
}

// reply answers a mention where it was made: in its thread, in the DM, or
// ephemerally to a command. Each part is a sentence (see Sentence).
func (b *Bot) reply(ctx context.Context, ev Mentioned, parts ...string) error {
	_, err := b.replyDoc(ctx, ev, Sentences(parts...))
	return err
}

// replyAside is reply for what concerns the member alone ("forget me"'s
// warning and what it removed): in a channel it is whispered to them
// where the platform can (Slack's ephemeral message, the shell), or sent
// to their direct message where it can open one (Discord: the channel is
// told only that it was answered there); a DM or a
// command's answer is private already; elsewhere, or when the direct
// message fails (a member who takes none), it is the reply.
func (b *Bot) replyAside(ctx context.Context, ev Mentioned, parts ...string) error {
	ref := ev.Message.Ref
	if ev.Via == ViaCommand || b.inDM(ev) {
		return b.reply(ctx, ev, parts...)
	}
	w, ok := b.platforms[ref.Channel.Platform].(Whisperer)
	if !ok || !w.Whispers() {
		if d, ok := b.platforms[ref.Channel.Platform].(DirectPoster); ok {
			_, err := d.PostDirect(ctx, ev.Message.Author, Outgoing{Doc: b.lateDoc(ev, Sentences(parts...))})
			if err == nil {
				// Said where they asked, so that the request does not look
				// ignored: the DM's notification is easily missed.
				return b.reply(ctx, ev, "I answered you in our direct message.")
			}
			b.log.WarnContext(ctx, "answer in a direct message; answered in the channel", logEvent, ev.ID, logUser, ev.Message.Author.ID, logErr, err)
		}
		return b.reply(ctx, ev, parts...)
	}
	out := Outgoing{Channel: ref.Channel, Doc: b.lateDoc(ev, Sentences(parts...)), Interaction: ev.Interaction, Ephemeral: true, To: ev.Message.Author, Thread: ref.Thread}
	if out.Thread == "" {
		out.Thread = ref.ID
	}
	_, err := b.post(ctx, out)
	return err
}

// replyDoc is reply with a composed document, returning the posted message
// (for answers that invite feedback).
func (b *Bot) replyDoc(ctx context.Context, ev Mentioned, doc Doc) (MessageRef, error) {
	ref := ev.Message.Ref
	out := Outgoing{Channel: ref.Channel, Doc: b.lateDoc(ev, doc), Interaction: ev.Interaction}
	switch {
	case ev.Via == ViaCommand:
		out.Ephemeral, out.To = true, ev.Message.Author
		// An ephemeral answer is recorded nowhere: no buttons to press.
		out.Doc = withoutActions(doc)
	case ev.Via == ViaDM && ref.Thread == "":
	case ref.Thread != "":
		out.Thread = ref.Thread
	default:
		out.Thread = ref.ID
	}
	return b.post(ctx, out)
}

// replyErrorUnlessRetried is replyError for a request whose retry does it
// again (nothing of it was recorded): a failure the store says may pass
// (busy, locked) is not told when the inbox tries the delivery again, so
// the member does not read "something went wrong" followed by "Saved".
// The last attempt's failure is told.
func (b *Bot) replyErrorUnlessRetried(ctx context.Context, ev Mentioned, err error) {
	if retryFollows(ctx) && b.store.Transient(err) {
		b.log.InfoContext(ctx, "request failed; tried again", logEvent, ev.ID, logUser, ev.Message.Author.ID, logErr, err)
		return
	}
	b.replyError(ctx, ev, err)
}

// retryKey marks a context whose delivery the inbox tries again if it
// fails with a transient error.
type retryKey struct{}

// withRetry marks ctx as the inbox's attempt at a delivery, followed by
// another when it fails transiently (more).
func withRetry(ctx context.Context, more bool) context.Context {
	return context.WithValue(ctx, retryKey{}, more)
}

// retryFollows reports whether a transient failure of the delivery being
// applied is followed by another attempt.
func retryFollows(ctx context.Context) bool {
	more, _ := ctx.Value(retryKey{}).(bool)
	return more
}

// replyError is the one place a failure becomes words a member reads.
func (b *Bot) replyError(ctx context.Context, ev Mentioned, err error) {
	level := slog.LevelError
	if memberError(err) {
		level = slog.LevelInfo
	}
	b.log.Log(ctx, level, "request refused", logEvent, ev.ID, logUser, ev.Message.Author.ID, logErr, err)
	text := Explain(err)
	if errors.Is(err, errNeedThread) {
		text = b.saveHow(ev)
	}
	if perr := b.reply(ctx, ev, text); perr != nil {
		b.log.ErrorContext(ctx, "tell member about failure", logEvent, ev.ID, logErr, perr)
	}
}

// saveHow tells a member whose `save` had no thread how to save: in a
// channel, by the bot's name in the thread ("save" alone there is no
// request); in a DM, which has no threads, by reaction to their message.
func (b *Bot) saveHow(ev Mentioned) string {
	if ev.Via != ViaCommand && b.inDM(ev) {
		return "To keep one of your messages here as a private note, react " + b.captureList() + " to it; `save` works in a channel's thread."
	}
	return "Say " + b.commandText(ev, "save") + " as a reply in the thread you want to keep, or react 💡 to the message itself."
}

// Errors of the core that members see explained.
var (
	errNeedThread    = errors.New("save needs a thread")
	errNothingToSave = errors.New("nothing to save")
	errTooLittle     = errors.New("too little to save") // chatter.go
)

// Explain turns an error into what a member is told. Details stay in the logs.
func Explain(err error) string {
	switch {
	case errors.Is(err, errNeedThread):
		return "Use `save` as a reply in the thread you want to keep, or react 💡 to the message itself."
	case errors.Is(err, errNothingToSave):
		return "I found nothing to save in this thread."
	case errors.Is(err, errTooLittle):
		return "Not saved: the message says too little for anyone to find it by (a saved message needs words that carry meaning, or a link)."
	case errors.Is(err, repertoire.ErrTooLong):
		return fmt.Sprintf("That is too long for me to keep (over %d KiB). Nothing was saved; a shorter summary would work.", repertoire.MaxTextBytes>>10)
	case errors.Is(err, repertoire.ErrInvalid):
		return "I couldn't save that: the message has no text I can keep."
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "That took me too long, sorry. Please try again in a moment."
	default:
		return "Something went wrong on my side and I couldn't do that. It's logged; please try again in a moment."
	}
}
