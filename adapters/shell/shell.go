// Package shell is a Platform over a terminal: members, channels, threads and
// reactions typed as lines, the bot's answers printed back. It lets anyone try
// Repertoire with no Slack or Discord token, and lets tests drive the whole
// program through stdin and stdout.
package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/safe"
)

// Name is the platform name of shell channels.
const Name = "shell"

// space is the one workspace of the shell.
const space = "local"

// MaxLine bounds one typed line; longer input is refused with a message.
const MaxLine = 1 << 20

// Options configure the shell.
type Options struct {
	In      io.Reader
	Out     io.Writer
	BotName string           // "repertoire"
	User    string           // the member typing at first: "you"
	Channel string           // the channel at first: "general"
	Now     func() time.Time // time.Now when nil
	Prompt  bool             // print a prompt before each line (for a terminal)
}

// Shell is the terminal platform. Its state is the conversation so far.
type Shell struct {
	in      io.Reader
	prompts bool
	botName string
	now     func() time.Time

	mu       sync.Mutex // guards everything below and writes to out
	out      io.Writer
	user     string
	channel  string
	private  map[string]bool            // channel name → private
	members  map[string]map[string]bool // private channel name → IDs of the members who went in
	msgs     []*message                 // msgs[i] has ID i+1
	seq      int
	last     bot.Event // for /redeliver
	prompted bool
	// session keeps message and delivery IDs unique across runs on one
	// database, as a platform's are.
	session string
}

type message struct {
	ref       bot.MessageRef
	author    bot.User
	text      string
	at        time.Time
	deleted   bool
	reactions []bot.Reaction
	entries   map[int][]bot.Action // the bot's buttons, by entry number
}

var (
	_ bot.Platform      = (*Shell)(nil)
	_ bot.Reacter       = (*Shell)(nil)
	_ bot.MemberChecker = (*Shell)(nil)
	_ bot.Whisperer     = (*Shell)(nil)
)

// New returns a shell reading commands from opts.In.
func New(opts Options) *Shell {
	s := &Shell{in: opts.In, prompts: opts.Prompt, out: opts.Out, botName: opts.BotName, user: opts.User, channel: opts.Channel,
		now: opts.Now, private: map[string]bool{}, members: map[string]map[string]bool{}}
	if s.botName == "" {
		s.botName = "repertoire"
	}
	if s.user == "" {
		s.user = "you"
	}
	if s.channel == "" {
		s.channel = "general"
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.session = strconv.FormatInt(s.now().UnixNano(), 36)
	return s
}

// Name implements bot.Platform.
func (s *Shell) Name() string { return Name }

// Direct reports whether ch is a DM with the bot (/dm).
func (s *Shell) Direct(ch bot.ChannelRef) bool { return strings.HasPrefix(ch.ID, "dm-") }

// Help lists the shell's commands.
func (s *Shell) Help() string {
	b := "@" + s.botName
	return strings.Join([]string{
		"Type a line to post it as the current member in the current channel. Commands:",
		"  /as NAME              speak as another member",
		"  /channel NAME         go to a public channel (created when new)",
		"  /private NAME         go to a private channel (created when new)",
		"  /dm                   talk to the bot in a direct message",
		"  /reply N TEXT         reply in the thread of message N",
		"  /react N [EMOJI]      react to message N (💡 when no emoji: 💡 tip, ✅ solution, 📖 story; the kind names the emoji too)",
		"  /unreact N [EMOJI]    take a reaction back",
		"  /edit N TEXT          edit message N",
		"  /delete N             delete message N",
		"  /ask QUESTION         ask the bot privately, as Slack's /repertoire does (/ask help, /ask forget me too)",
		"  /web                  get a private one-time link to the web page",
		"  /helped N [M]         press \"This helped\" beside entry N of the bot's last answer (or of message M)",
		"  /notit N [M]          press \"Not it\" beside entry N",
		"  /redeliver            deliver the last event again, as a platform retry would",
		"  /where                show who and where you are",
		"  /help                 this list;  /quit  leave",
		"  " + b + " QUESTION    ask the bot in the channel (or in a thread with /reply N " + b + " …)",
		"  " + b + " save #tag   in a thread reply: save its question and best answer",
	}, "\n")
}

// Run reads commands until the input ends, /quit, or ctx is done.
func (s *Shell) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(s.in, 64<<10)
		for {
			line, err := readLine(r)
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					errc <- err
				}
				return
			}
		}
	}()
	s.printf("Repertoire shell: you are %s in #%s. Type /help for commands.\n", s.user, s.channel)
	for {
		s.prompt()
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-errc:
					return fmt.Errorf("shell: read input: %w", err)
				default:
					return nil
				}
			}
			s.mu.Lock()
			s.prompted = false // the member's Enter ended the prompt's line
			s.mu.Unlock()
			if quit := s.exec(ctx, h, line); quit {
				return nil
			}
		}
	}
}

// readLine returns one line without its end; an over-long line is consumed
// and reported as "\x00toolong" in its place.
func readLine(r *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if sb.Len() <= MaxLine {
			sb.Write(chunk)
		}
		if err != nil {
			return sb.String(), err
		}
		if !isPrefix {
			break
		}
	}
	if sb.Len() > MaxLine {
		return "\x00toolong", nil
	}
	return sb.String(), nil
}

func (s *Shell) prompt() {
	if !s.prompts {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, "%s@#%s> ", s.user, s.channel)
	s.prompted = true
}

// printf writes a line of output, starting on a fresh line after a prompt.
func (s *Shell) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.printfLocked(format, args...)
}

func (s *Shell) printfLocked(format string, args ...any) {
	if s.prompted {
		fmt.Fprintln(s.out)
		s.prompted = false
	}
	// Members' words (and imported ones) must not drive the terminal.
	fmt.Fprint(s.out, safe.Text(fmt.Sprintf(format, args...)))
}

// exec runs one typed line. It reports whether the member asked to quit.
func (s *Shell) exec(ctx context.Context, h bot.Handler, line string) bool {
	if line == "\x00toolong" {
		s.printf("! that line is over %d bytes; nothing was posted\n", MaxLine)
		return false
	}
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return false
	}
	if !strings.HasPrefix(line, "/") {
		s.post(ctx, h, 0, line)
		return false
	}
	cmd, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch cmd {
	case "/quit", "/exit":
		return true
	case "/help":
		s.printf("%s\n", s.Help())
	case "/where":
		s.mu.Lock()
		kind := "public"
		if s.private[s.channel] {
			kind = "private"
		}
		s.printfLocked("you are %s in #%s (%s)\n", s.user, s.channel, kind)
		s.mu.Unlock()
	case "/as":
		if name := oneWord(rest); name != "" {
			s.mu.Lock()
			s.user = name
			s.mu.Unlock()
		} else {
			s.printf("! usage: /as NAME\n")
		}
	case "/channel", "/private", "/dm":
		s.switchChannel(cmd, rest)
	case "/reply":
		n, text, err := s.numberAnd(rest, true)
		if err != nil {
			s.printf("! usage: /reply N TEXT (%v)\n", err)
			return false
		}
		s.post(ctx, h, n, text)
	case "/react", "/unreact":
		n, emoji, err := s.numberAnd(rest, false)
		if err != nil {
			s.printf("! usage: %s N [EMOJI] (%v)\n", cmd, err)
			return false
		}
		s.react(ctx, h, n, parseEmoji(emoji), cmd == "/react")
	case "/edit":
		n, text, err := s.numberAnd(rest, true)
		if err != nil {
			s.printf("! usage: /edit N TEXT (%v)\n", err)
			return false
		}
		s.edit(ctx, h, n, text)
	case "/delete":
		n, _, err := s.numberAnd(rest, false)
		if err != nil {
			s.printf("! usage: /delete N (%v)\n", err)
			return false
		}
		s.delete(ctx, h, n)
	case "/ask":
		s.mu.Lock()
		// As Slack's /repertoire: the text is the request, so "/ask help"
		// is the help and "/ask forget me" asks to be forgotten; only a
		// whole command is one ("/ask help with nginx" is a question), and
		// nothing is the help.
		text := strings.TrimSpace(rest)
		if text == "" {
			text = "help"
		}
		ev := bot.Mentioned{ID: s.nextID(), Text: text, Via: bot.ViaCommand, Command: "/ask",
			Message: bot.Message{Ref: bot.MessageRef{Channel: s.chanRef(s.channel)}, Author: s.member(),
				Text: "/ask " + rest, Time: s.now(), ChannelName: s.channel, Private: s.private[s.channel]}}
		s.mu.Unlock()
		s.deliver(ctx, h, ev)
	case "/web":
		s.mu.Lock()
		ev := bot.Mentioned{ID: s.nextID(), Text: "web", Via: bot.ViaCommand,
			Message: bot.Message{Ref: bot.MessageRef{Channel: s.chanRef(s.channel)}, Author: s.member(),
				Text: "/web", Time: s.now(), ChannelName: s.channel, Private: s.private[s.channel]}}
		s.mu.Unlock()
		s.deliver(ctx, h, ev)
	case "/helped", "/notit":
		s.press(ctx, h, cmd, rest)
	case "/redeliver":
		s.mu.Lock()
		ev := s.last
		s.mu.Unlock()
		if ev == nil {
			s.printf("! nothing to redeliver yet\n")
			return false
		}
		s.deliver(ctx, h, ev)
	default:
		s.printf("! unknown command %s; /help lists them\n", cmd)
	}
	return false
}

func oneWord(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if s == "" || strings.ContainsAny(s, " \t") || !utf8.ValidString(s) {
		return ""
	}
	return s
}

func (s *Shell) switchChannel(cmd, rest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := oneWord(rest)
	switch cmd {
	case "/dm":
		name = "dm-" + s.user
		s.private[name] = true
	case "/private":
		if name == "" {
			s.printfLocked("! usage: /private NAME\n")
			return
		}
		if p, known := s.private[name]; known && !p {
			s.printfLocked("! #%s is a public channel\n", name)
			return
		}
		s.private[name] = true
		if s.members[name] == nil {
			s.members[name] = map[string]bool{}
		}
		s.members[name][s.member().ID] = true
	default:
		if name == "" {
			s.printfLocked("! usage: /channel NAME\n")
			return
		}
		if s.private[name] {
			s.printfLocked("! #%s is private: use /private %s\n", name, name)
			return
		}
	}
	s.channel = name
}

// number is the [N] members use for a message ID of this session.
func (s *Shell) number(id string) string {
	_, n, _ := strings.Cut(id, "-")
	return n
}

// byID returns the message with that ID from this session.
func (s *Shell) byID(id string) (*message, bool) {
	session, num, _ := strings.Cut(id, "-")
	n, err := strconv.Atoi(num)
	if session != s.session || err != nil || n < 1 || n > len(s.msgs) || s.msgs[n-1].deleted {
		return nil, false
	}
	return s.msgs[n-1], true
}

// whatIsLocked says what message n is, for an action on it that may not
// be what the member meant (a mistyped number: numbers count the bot's
// posts too) and that the bot answers with nothing: a 👍/👎 on anything
// but an answer with entries, which counts only there, when n is the
// bot's post or a request to the bot in a channel; and a reply to the
// bot's post that is no such answer (the reply lands in its thread). A
// capture emoji on either is answered by the bot itself. "" otherwise.
func (s *Shell) whatIsLocked(m *message, n int, reply bool, e bot.Emoji) string {
	snippet := []rune(strings.Join(strings.Fields(m.text), " "))
	if len(snippet) > 60 {
		snippet = append(snippet[:59], '…')
	}
	answer := len(m.entries) > 0
	switch {
	case answer || !reply && !feedbackEmoji(e):
		return ""
	case m.author.Bot && reply:
		return fmt.Sprintf("(note: [%d] is %s's post, “%s”; the reply went to its thread, [%s]'s)", n, m.author.Name, string(snippet), s.number(m.ref.Root().ID))
	case m.author.Bot:
		return fmt.Sprintf(" (note: [%d] is %s's post, “%s”, which shows no entries: a 👍 or 👎 counts only on an answer that does)", n, m.author.Name, string(snippet))
	case !reply && hasPrefixFold(strings.TrimSpace(m.text), "@"+s.botName): // not in a DM, where a reaction keeps a note
		return fmt.Sprintf(" (note: [%d] is %s's request to %s, “%s”: a 👍 or 👎 counts on %s's answer)", n, m.author.Name, s.botName, string(snippet), s.botName)
	}
	return ""
}

func hasPrefixFold(s, prefix string) bool {
	_, ok := cutPrefixFold(s, prefix)
	return ok
}

// feedbackEmoji reports whether e is 👍 or 👎, a verdict on the bot's answer.
func feedbackEmoji(e bot.Emoji) bool {
	u := strings.TrimSuffix(e.Unicode, "\uFE0F")
	return u == "👍" || u == "👎" || e.Shortcode == "+1" || e.Shortcode == "-1" || e.Shortcode == "thumbsup" || e.Shortcode == "thumbsdown"
}

// numberAnd parses "N rest" where N names an existing message.
func (s *Shell) numberAnd(args string, needRest bool) (int, string, error) {
	num, rest, _ := strings.Cut(args, " ")
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a message number", num)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 1 || n > len(s.msgs) || s.msgs[n-1].deleted {
		return 0, "", fmt.Errorf("there is no message %d", n)
	}
	rest = strings.TrimSpace(rest)
	if needRest && rest == "" {
		return 0, "", errors.New("text is missing")
	}
	return n, rest, nil
}

func (s *Shell) nextID() string {
	s.seq++
	return "shell-" + s.session + "-" + strconv.Itoa(s.seq)
}

func (s *Shell) chanRef(name string) bot.ChannelRef {
	return bot.ChannelRef{Platform: Name, Space: space, ID: name}
}

func (s *Shell) member() bot.User { return userNamed(s.user) }

func userNamed(name string) bot.User { return bot.User{ID: "U-" + strings.ToLower(name), Name: name} }

func link(channel string, id string) string { return "shell:#" + channel + "/" + id }

// post adds a message as the current member: in the current channel, or as a
// reply in the thread of message replyTo. Addressing the bot (or any line in
// a DM) is also delivered as a mention.
func (s *Shell) post(ctx context.Context, h bot.Handler, replyTo int, text string) {
	s.mu.Lock()
	channel := s.channel
	thread := ""
	if replyTo > 0 {
		parent := s.msgs[replyTo-1]
		channel = parent.ref.Channel.ID
		thread = parent.ref.Root().ID
	}
	m := s.appendLocked(channel, thread, s.member(), text)
	if replyTo > 0 {
		if note := s.whatIsLocked(s.msgs[replyTo-1], replyTo, true, bot.Emoji{}); note != "" {
			s.printfLocked("%s\n", note)
		}
	}
	posted := bot.MessagePosted{ID: s.nextID(), Message: s.toMessage(m)}
	var mention *bot.Mentioned
	mentionPrefix := "@" + s.botName
	// A DM, or naming the bot anywhere, addresses it (only a DM or a leading
	// mention is a request it answers).
	dm := strings.HasPrefix(channel, "dm-")
	posted.Message.ToBot = dm || strings.Contains(strings.ToLower(text), strings.ToLower(mentionPrefix))
	if q, ok := cutPrefixFold(strings.TrimSpace(text), mentionPrefix); ok || dm {
		if !ok {
			q = text
		}
		via := bot.ViaMention
		if dm {
			via = bot.ViaDM
		}
		mention = &bot.Mentioned{ID: s.nextID(), Message: posted.Message, Text: strings.TrimSpace(q), Via: via} // the core cuts ":" or "," after the name
	}
	s.mu.Unlock()
	s.deliver(ctx, h, posted)
	if mention != nil {
		s.deliver(ctx, h, *mention)
	}
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// appendLocked records a message and prints it.
func (s *Shell) appendLocked(channel, thread string, author bot.User, text string) *message {
	n := len(s.msgs) + 1
	m := &message{ref: bot.MessageRef{Channel: s.chanRef(channel), ID: s.session + "-" + strconv.Itoa(n), Thread: thread},
		author: author, text: text, at: s.now()}
	s.msgs = append(s.msgs, m)
	where := "#" + channel
	if thread != "" {
		where += " ↳" + s.number(thread)
	}
	s.printfLocked("[%d] %s %s: %s\n", n, where, author.Name, text)
	return m
}

func (s *Shell) toMessage(m *message) bot.Message {
	return bot.Message{Ref: m.ref, Author: m.author, Text: m.text, Time: m.at, Link: link(m.ref.Channel.ID, m.ref.ID),
		ChannelName: m.ref.Channel.ID, Private: s.private[m.ref.Channel.ID],
		Reactions: append([]bot.Reaction(nil), m.reactions...)}
}

func parseEmoji(arg string) bot.Emoji {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return bot.Emoji{Unicode: "💡", Shortcode: "bulb"}
	}
	if e, ok := kindEmoji[strings.ToLower(arg)]; ok {
		return e // "/react 2 solution": the emoji /help pairs with the kind
	}
	if r, _ := utf8.DecodeRuneInString(arg); r < 128 {
		return bot.Emoji{Shortcode: strings.Trim(arg, ":")}
	}
	return bot.Emoji{Unicode: arg}
}

// kindEmoji are the kinds /help names beside the default capture emoji,
// read as those emoji: a newcomer types "/react 2 solution".
var kindEmoji = map[string]bot.Emoji{
	"tip":      {Unicode: "💡", Shortcode: "bulb"},
	"solution": {Unicode: "✅", Shortcode: "white_check_mark"},
	"story":    {Unicode: "📖", Shortcode: "book"},
}

func (e emojiText) String() string {
	if e.Unicode != "" {
		return e.Unicode
	}
	return ":" + e.Shortcode + ":"
}

type emojiText bot.Emoji

func sameEmoji(a, b bot.Emoji) bool {
	return (a.Unicode != "" && a.Unicode == b.Unicode) || (a.Shortcode != "" && a.Shortcode == b.Shortcode)
}

func (s *Shell) react(ctx context.Context, h bot.Handler, n int, e bot.Emoji, add bool) {
	s.mu.Lock()
	m := s.msgs[n-1]
	who := s.member()
	found := -1
	for i, r := range m.reactions {
		if r.User.ID == who.ID && sameEmoji(r.Emoji, e) {
			found = i
		}
	}
	var ev bot.Event
	switch {
	case add && found < 0:
		m.reactions = append(m.reactions, bot.Reaction{User: who, Emoji: e})
		ev = bot.ReactionAdded{ID: s.nextID(), Target: m.ref, User: who, Emoji: e, Private: s.private[m.ref.Channel.ID]}
		s.printfLocked("%s reacted %s to [%d]%s\n", who.Name, emojiText(e), n, s.whatIsLocked(m, n, false, e))
	case !add && found >= 0:
		m.reactions = append(m.reactions[:found], m.reactions[found+1:]...)
		ev = bot.ReactionRemoved{ID: s.nextID(), Target: m.ref, User: who, Emoji: e, Private: s.private[m.ref.Channel.ID]}
		s.printfLocked("%s took back %s from [%d]\n", who.Name, emojiText(e), n)
	case add:
		s.printfLocked("! you already reacted %s to [%d]\n", emojiText(e), n)
	default:
		s.printfLocked("! you have no %s on [%d]\n", emojiText(e), n)
	}
	s.mu.Unlock()
	if ev != nil {
		s.deliver(ctx, h, ev)
	}
}

func (s *Shell) edit(ctx context.Context, h bot.Handler, n int, text string) {
	s.mu.Lock()
	m := s.msgs[n-1]
	if m.author.ID != s.member().ID {
		s.printfLocked("! only %s can edit [%d]\n", m.author.Name, n)
		s.mu.Unlock()
		return
	}
	m.text = text
	ev := bot.MessageEdited{ID: s.nextID(), Message: s.toMessage(m)}
	s.printfLocked("[%d] edited: %s\n", n, text)
	s.mu.Unlock()
	s.deliver(ctx, h, ev)
}

func (s *Shell) delete(ctx context.Context, h bot.Handler, n int) {
	s.mu.Lock()
	m := s.msgs[n-1]
	if m.author.ID != s.member().ID {
		s.printfLocked("! only %s can delete [%d]\n", m.author.Name, n)
		s.mu.Unlock()
		return
	}
	m.deleted, m.text, m.reactions = true, "", nil
	ev := bot.MessageDeleted{ID: s.nextID(), Ref: m.ref}
	s.printfLocked("[%d] deleted\n", n)
	s.mu.Unlock()
	s.deliver(ctx, h, ev)
}

// deliver hands an event to the core and waits for it, so the bot's answer
// prints before the next prompt.
func (s *Shell) deliver(ctx context.Context, h bot.Handler, ev bot.Event) {
	s.mu.Lock()
	s.last = ev
	s.mu.Unlock()
	if err := h.Handle(ctx, ev); err != nil {
		s.printf("! the bot could not handle that: %v\n", err)
	}
}

// Post implements bot.Platform: the bot's message is printed and becomes
// part of the conversation (members can react to it).
func (s *Shell) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	if out.Channel.Platform != Name {
		return bot.MessageRef{}, fmt.Errorf("shell: cannot post to %s channel", out.Channel.Platform)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	text := Render(out.Doc)
	if out.Ephemeral {
		sees := "(only " + out.To.Name + " sees this)"
		if out.To.Name == "you" {
			sees = "(only you see this)" // the shell's own member, before any /as
		}
		s.printfLocked("%s %s: %s\n", sees, s.botName, text)
		return bot.MessageRef{Channel: out.Channel}, nil
	}
	thread := out.Thread
	if m, ok := s.byID(thread); ok {
		thread = m.ref.Root().ID
	}
	m := s.appendLocked(out.Channel.ID, thread, bot.User{ID: "U-" + s.botName, Name: s.botName, Bot: true}, text)
	for _, b := range out.Doc.Blocks {
		for _, e := range b.Entries {
			if e.N > 0 && len(e.Actions) > 0 {
				if m.entries == nil {
					m.entries = map[int][]bot.Action{}
				}
				m.entries[e.N] = e.Actions
			}
		}
	}
	return m.ref, nil
}

// Thread implements bot.Platform: the thread's opening message, then its
// replies in order.
func (s *Shell) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID(ref.ID)
	if !ok {
		return nil, fmt.Errorf("shell: no message %q", ref.ID)
	}
	root := m.ref.Root()
	var out []bot.Message
	for _, m := range s.msgs {
		if m.deleted || m.ref.Channel != root.Channel {
			continue
		}
		if m.ref.ID == root.ID || m.ref.Thread == root.ID {
			out = append(out, s.toMessage(m))
		}
	}
	return out, nil
}

// React implements bot.Reacter.
func (s *Shell) React(ctx context.Context, ref bot.MessageRef, e bot.Emoji) error {
	s.printf("%s reacted %s to [%s]\n", s.botName, emojiText(e), s.number(ref.ID))
	return nil
}

// IsMember implements bot.MemberChecker for private channels and DMs (the
// core asks about no other): a private channel's members are those who went
// in with /private this session, as the member they were then; a DM is its
// member's.
func (s *Shell) IsMember(ctx context.Context, ch bot.ChannelRef, userID string) (bool, error) {
	if ch.Platform != Name {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := strings.CutPrefix(ch.ID, "dm-"); ok {
		return userNamed(name).ID == userID, nil
	}
	return s.members[ch.ID][userID], nil // a channel not entered this session has none
}

// Whispers implements bot.Whisperer: the shell can show a line to one member.
func (s *Shell) Whispers() bool { return true }

// press handles /helped and /notit: the button beside entry N of message M
// (by default the bot's latest message with buttons in this channel).
func (s *Shell) press(ctx context.Context, h bot.Handler, cmd, args string) {
	f := strings.Fields(args)
	usage := func(why string) { s.printf("! usage: %s N [M]: entry N of the bot's answer [M] (%s)\n", cmd, why) }
	if len(f) == 0 || len(f) > 2 {
		usage("which entry?")
		return
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		usage(fmt.Sprintf("%q is not an entry number", f[0]))
		return
	}
	s.mu.Lock()
	var m *message
	if len(f) == 2 {
		k, err := strconv.Atoi(f[1])
		if err != nil || k < 1 || k > len(s.msgs) || s.msgs[k-1].deleted || s.msgs[k-1].entries == nil {
			s.mu.Unlock()
			usage(fmt.Sprintf("message %s has no buttons", f[1]))
			return
		}
		m = s.msgs[k-1]
	} else {
		for i := len(s.msgs) - 1; i >= 0 && m == nil; i-- {
			if c := s.msgs[i]; !c.deleted && c.entries != nil && c.ref.Channel.ID == s.channel {
				m = c
			}
		}
	}
	if m == nil {
		s.mu.Unlock()
		usage("no answer with entries in this channel yet")
		return
	}
	value := ""
	for _, a := range m.entries[n] {
		if actionCommand(a.Value) == cmd {
			value = a.Value
		}
	}
	if value == "" {
		s.mu.Unlock()
		usage(fmt.Sprintf("[%s] has no entry %d", s.number(m.ref.ID), n))
		return
	}
	who := s.member()
	ev := bot.ActionPressed{ID: s.nextID(), Message: m.ref, User: who, Value: value}
	s.last = ev
	s.mu.Unlock()
	if err := h.Handle(ctx, ev); err != nil {
		s.printf("! %s %d on [%s] changed nothing: %v\n", cmd, n, s.number(m.ref.ID), err)
		return
	}
	s.printf("%s pressed %s %d on [%s] ✓\n", who.Name, cmd, n, s.number(m.ref.ID))
}
