package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// Doc is a message as the core composes it: structure, never a platform's
// markup. Each adapter renders it its own way (Slack Block Kit and mrkdwn,
// Discord markdown and components, plain numbered text in the shell),
// escapes what its markup needs and applies the mass-mention guard to what
// it finally sends. Text is the plain rendering, for logs and fallbacks.
type Doc struct {
	Blocks []Block
}

// BlockKind says what a block is.
type BlockKind int

// The kinds of block.
const (
	Paragraph BlockKind = iota // running text
	Heading                    // a section's title
	Quote                      // quoted words of a member
	Context                    // a small, secondary line
	Divider                    // a rule between sections
	EntryList                  // numbered repertoire entries
	// FeedbackHint tells members how to say whether an entry helped. Its
	// Spans word it for buttons beside the entries (and for plain text); an
	// adapter whose members say it some other way writes its own words.
	FeedbackHint
)

// Block is one block of a Doc. Paragraph, Heading, Quote, Context and
// FeedbackHint hold Spans; EntryList holds Entries; Divider holds nothing.
type Block struct {
	Kind    BlockKind
	Spans   []Span
	Entries []DocEntry
}

// SpanKind says how a span of text reads.
type SpanKind int

// The kinds of inline span.
const (
	Plain    SpanKind = iota
	Emphasis          // stands out (bold where the platform has it)
	Code              // a command or a literal to type
	Link              // Text pointing at URL
	Match             // a word of the entry that matched the question
)

// Span is a run of text of one kind. Text is what members wrote or what the
// bot says, never markup: adapters escape it.
type Span struct {
	Kind SpanKind
	Text string
	URL  string // Link only
}

// DocEntry is one entry of an EntryList.
type DocEntry struct {
	N       int    // its number in the list, from 1
	Title   string // one line
	Body    []Span // the snippet or summary, matches marked; may be empty
	Meta    []Span // kind, credit, votes, tags: a context line
	Link    string // permalink, when known
	Actions []Action
}

// Action is a button beside an entry. Value is echoed back by the adapter
// when a member presses it (ActionPressed); Pressed shows it was.
type Action struct {
	Label   string
	Value   string
	Pressed bool
}

// Span constructors, so composing reads like the message.

// T is plain text.
func T(s string) Span { return Span{Kind: Plain, Text: s} }

// Em is emphasised text.
func Em(s string) Span { return Span{Kind: Emphasis, Text: s} }

// Cd is code: a command to type.
func Cd(s string) Span { return Span{Kind: Code, Text: s} }

// Ln is a link.
func Ln(text, url string) Span { return Span{Kind: Link, Text: text, URL: url} }

// Para is a paragraph of spans.
func Para(spans ...Span) Block { return Block{Kind: Paragraph, Spans: spans} }

// Head is a heading.
func Head(s string) Block { return Block{Kind: Heading, Spans: []Span{T(s)}} }

// Note is a context line.
func Note(spans ...Span) Block { return Block{Kind: Context, Spans: spans} }

// Rule is a divider.
func Rule() Block { return Block{Kind: Divider} }

// Entries is an entry list.
func Entries(es ...DocEntry) Block { return Block{Kind: EntryList, Entries: es} }

// Sentence is a paragraph from a sentence the core wrote, where `backticks`
// mark commands to type (the core's own convention, not any platform's):
// they become Code spans. Never use it on members' words.
func Sentence(s string) Block { return Para(Backticks(s)...) }

// Backticks splits s at backticks into plain and code spans.
func Backticks(s string) []Span {
	var out []Span
	code := false
	for i, part := range strings.Split(s, "`") {
		if i > 0 {
			code = !code
		}
		if part == "" {
			continue
		}
		if code {
			out = append(out, Cd(part))
		} else {
			out = append(out, T(part))
		}
	}
	if code && len(out) > 0 && out[len(out)-1].Kind == Code {
		// An unpaired backtick: the rest was not code after all.
		out[len(out)-1] = T("`" + out[len(out)-1].Text)
	}
	return out
}

// Sentences is a document of one paragraph per sentence (see Sentence).
func Sentences(parts ...string) Doc {
	var d Doc
	for _, p := range parts {
		d.Blocks = append(d.Blocks, Sentence(p))
	}
	return d
}

// Action values: what a feedback button sends back. Adapters check a value
// with ParseFeedback before accepting a press.
const (
	helpedPrefix = "helped:"
	notItPrefix  = "notit:"
)

// FeedbackActions are the "This helped" / "Not it" buttons of one entry.
func FeedbackActions(entryID int64) []Action {
	return []Action{{Label: "This helped", Value: feedbackValue(entryID, true)}, {Label: "Not it", Value: feedbackValue(entryID, false)}}
}

// feedbackValue is the value of an entry's "This helped" (helpful) or
// "Not it" button.
func feedbackValue(entryID int64, helpful bool) string {
	if helpful {
		return helpedPrefix + strconv.FormatInt(entryID, 10)
	}
	return notItPrefix + strconv.FormatInt(entryID, 10)
}

// ParseFeedback reads a feedback button's value: the entry and whether the
// member found it helpful. Any other value is an error.
func ParseFeedback(value string) (entryID int64, helpful bool, err error) {
	rest, ok := strings.CutPrefix(value, helpedPrefix)
	if ok {
		helpful = true
	} else if rest, ok = strings.CutPrefix(value, notItPrefix); !ok {
		return 0, false, fmt.Errorf("%w: %.40q", ErrUnknownAction, value)
	}
	entryID, err = strconv.ParseInt(rest, 10, 64)
	if err != nil || entryID <= 0 {
		return 0, false, fmt.Errorf("%w: %.40q", ErrUnknownAction, value)
	}
	return entryID, helpful, nil
}

// SpanText is the spans' text as plain text: code between backticks (the
// plain-text convention), links as "text (url)", the rest unmarked.
func SpanText(spans []Span) string {
	var sb strings.Builder
	for _, s := range spans {
		switch {
		case s.Kind == Code:
			sb.WriteString("`" + s.Text + "`")
		case s.Kind == Link && s.URL != "" && s.URL != s.Text:
			sb.WriteString(s.Text + " (" + s.URL + ")")
		default:
			sb.WriteString(s.Text)
		}
	}
	return sb.String()
}

// Text is the plain rendering: for logs, notifications and platforms
// without markup. Entries are numbered; crowd pings are made inert.
func (d Doc) Text() string { return Inert(joinParts(d.Parts())) }

// Parts is the plain rendering cut where a message may be split: one part
// per Unit.
func (d Doc) Parts() []string {
	var parts []string
	for _, u := range d.Units() {
		lines := make([]string, 0, len(u))
		for _, b := range u {
			switch b.Kind {
			case Divider:
				// a visual break only; plain text has its blank lines
			case Quote:
				lines = append(lines, "“"+SpanText(b.Spans)+"”")
			case EntryList:
				for _, e := range b.Entries {
					lines = append(lines, PlainEntry(e))
				}
			default:
				lines = append(lines, SpanText(b.Spans))
			}
		}
		if len(lines) > 0 {
			parts = append(parts, strings.Join(lines, "\n"))
		}
	}
	return parts
}

// Unit is what an adapter keeps in one message when it must split a Doc:
// blocks, of which an EntryList holds one entry.
type Unit []Block

// Units cuts d where a long message may be split: between blocks and
// between the entries of a list, never after a heading (it stays with what
// it heads).
func (d Doc) Units() []Unit {
	var (
		out  []Unit
		head Unit
	)
	push := func(b Block) {
		out = append(out, append(head, b))
		head = nil
	}
	for _, b := range d.Blocks {
		switch b.Kind {
		case Heading:
			head = append(head, b)
		case EntryList:
			for _, e := range b.Entries {
				push(Block{Kind: EntryList, Entries: []DocEntry{e}})
			}
		default:
			push(b)
		}
	}
	if head != nil {
		out = append(out, head)
	}
	return out
}

// PlainEntry renders an entry as plain lines: "N. Title", the body quoted,
// the context line and the link.
func PlainEntry(e DocEntry) string {
	var sb strings.Builder
	if e.N > 0 {
		fmt.Fprintf(&sb, "%d. ", e.N)
	}
	sb.WriteString(e.Title)
	if body := SpanText(e.Body); body != "" {
		sb.WriteString("\n   “" + body + "”")
	}
	if meta := SpanText(e.Meta); meta != "" {
		sb.WriteString("\n   " + meta)
	}
	if e.Link != "" {
		sb.WriteString("\n   " + e.Link)
	}
	return sb.String()
}

// highlighted turns a store snippet and its match spans into spans, squeezed
// to one line of at most n runes (as oneLine does) with the matches kept.
// Spans out of order or out of range are ignored: the text stays plain.
func highlighted(text string, hl []repertoire.Span, n int) []Span {
	text = strings.ToValidUTF8(text, "\uFFFD")
	type mark struct {
		r     rune
		match bool
	}
	var valid []repertoire.Span
	for _, h := range hl {
		if h.Start >= h.End || h.End > len(text) || (len(valid) > 0 && h.Start < valid[len(valid)-1].End) || h.Start < 0 {
			continue
		}
		valid = append(valid, h)
	}
	var marks []mark
	space := false
	h := 0
	for i, r := range text {
		for h < len(valid) && valid[h].End <= i {
			h++
		}
		match := h < len(valid) && valid[h].Start <= i
		if unicode.IsSpace(r) {
			space = len(marks) > 0
			continue
		}
		if space {
			marks = append(marks, mark{' ', false})
			space = false
		}
		marks = append(marks, mark{r, match})
	}
	cut := len(marks) > n
	if cut {
		rs := make([]rune, len(marks))
		for i, m := range marks {
			rs[i] = m.r
		}
		marks = marks[:clusterCut(rs, n-1)] // a whole character, as oneLine
		for len(marks) > 0 && marks[len(marks)-1].r == ' ' {
			marks = marks[:len(marks)-1]
		}
	}
	var out []Span
	for _, m := range marks {
		kind := Plain
		if m.match {
			kind = Match
		}
		appendSpan(&out, kind, string(m.r))
	}
	if cut {
		appendSpan(&out, Plain, "…")
	}
	return out
}

// appendSpan adds text to the last span when it is of the same kind.
func appendSpan(out *[]Span, kind SpanKind, s string) {
	if n := len(*out); n > 0 && (*out)[n-1].Kind == kind {
		(*out)[n-1].Text += s
		return
	}
	*out = append(*out, Span{Kind: kind, Text: s})
}

// withoutActions is d with no buttons and no invitation to press them (the
// entries are copied).
func withoutActions(d Doc) Doc {
	blocks := make([]Block, 0, len(d.Blocks))
	for _, b := range d.Blocks {
		if b.Kind == FeedbackHint {
			continue // an invitation to press what is not there
		}
		if len(b.Entries) > 0 {
			es := make([]DocEntry, len(b.Entries))
			for j, e := range b.Entries {
				e.Actions = nil
				es[j] = e
			}
			b.Entries = es
		}
		blocks = append(blocks, b)
	}
	return Doc{Blocks: blocks}
}
