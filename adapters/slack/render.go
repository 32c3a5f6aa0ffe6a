package slack

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/bot"
)

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
const (
	maxBlocks      = 50   // per message
	maxSectionText = 3000 // per section text
	maxHeaderText  = 150
	maxButtonText  = 75
)

// Rendered is one Slack message of a rendered document: Block Kit blocks
// and the plain-text fallback Slack shows in notifications.
type Rendered struct {
	Blocks []slack.Block
	Text   string
}

// Render renders a document as Block Kit messages: headings as header
// blocks, paragraphs and entries as mrkdwn sections (matches and emphasis
// in *bold*), context lines as context blocks, dividers, and "This helped" /
// "Not it" buttons under each entry that has actions (action_id and value
// are the action's value). Member text is escaped (& < >) and the
// mass-mention guard is applied to every final text, fallback included.
// Long documents are split between units, within Slack's block limits.
func Render(d bot.Doc) []Rendered {
	var (
		out   []Rendered
		cur   Rendered
		plain []string
		size  int
	)
	flush := func() {
		if len(cur.Blocks) > 0 {
			cur.Text = fallback(plain)
			out = append(out, cur)
		}
		cur, plain, size = Rendered{}, nil, 0
	}
	for _, u := range d.Units() {
		blocks, n := unitBlocks(u)
		if len(blocks) == 0 {
			continue
		}
		if len(cur.Blocks)+len(blocks) > maxBlocks || (size > 0 && size+n > maxText*3) {
			flush()
		}
		cur.Blocks = append(cur.Blocks, blocks...)
		plain = append(plain, bot.Doc{Blocks: u}.Parts()...)
		size += n
	}
	flush()
	return out
}

// fallback is the notification text: the plain rendering, escaped,
// guarded, within Slack's advised length.
func fallback(parts []string) string {
	text := strings.Join(parts, "\n\n")
	if utf8.RuneCountInString(text) > maxText {
		text = string([]rune(text)[:maxText-1]) + "…"
	}
	return guard(escape(text))
}

// unitBlocks renders one unit and says how many characters of text it holds.
func unitBlocks(u bot.Unit) ([]slack.Block, int) {
	var (
		out []slack.Block
		n   int
	)
	// Long text goes on in further blocks rather than being cut: Slack
	// refuses a whole message with a text over its limit.
	section := func(text string) {
		for _, t := range splitMrkdwn(guard(text), maxSectionText) {
			n += len(t)
			out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, t, false, true), nil, nil))
		}
	}
	context := func(text string) {
		for _, t := range splitMrkdwn(guard(text), maxSectionText) {
			n += len(t)
			out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, t, false, true)))
		}
	}
	for _, b := range u {
		switch b.Kind {
		case bot.Divider:
			out = append(out, slack.NewDividerBlock())
		case bot.Heading:
			text := cut(guard(strings.Join(strings.Fields(bot.SpanText(b.Spans)), " ")), maxHeaderText)
			n += len(text)
			out = append(out, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, text, true, false)))
		case bot.Context, bot.FeedbackHint:
			context(spans(b.Spans))
		case bot.Quote:
			section(quote(spans(b.Spans)))
		case bot.EntryList:
			for _, e := range b.Entries {
				var sb strings.Builder
				sb.WriteString("*")
				if e.N > 0 {
					sb.WriteString(strconv.Itoa(e.N) + ". ")
				}
				sb.WriteString(boldText(e.Title) + "*")
				if len(e.Body) > 0 {
					sb.WriteString("\n" + quote(spans(e.Body)))
				}
				section(sb.String())
				meta := spans(e.Meta)
				if link := safeURL(e.Link); link != "" {
					if meta != "" {
						meta += " · "
					}
					meta += "<" + link + "|source>"
				}
				if meta != "" {
					context(meta)
				}
				if row := buttons(e); row != nil {
					out = append(out, row)
				}
			}
		default:
			if text := spans(b.Spans); strings.TrimSpace(text) != "" {
				section(text)
			}
		}
	}
	return out, n
}

// buttons is an entry's actions block; block_id names the entry's number.
func buttons(e bot.DocEntry) *slack.ActionBlock {
	var els []slack.BlockElement
	for _, a := range e.Actions {
		if a.Value == "" || len(a.Value) > 255 {
			continue
		}
		label := a.Label
		if a.Pressed {
			label = "✓ " + label
		}
		btn := slack.NewButtonBlockElement(a.Value, a.Value, slack.NewTextBlockObject(slack.PlainTextType, cut(guard(label), maxButtonText), true, false))
		if a.Pressed {
			btn.Style = slack.StylePrimary
		}
		els = append(els, btn)
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock("entry-"+strconv.Itoa(e.N), els...)
}

// spans renders inline spans as mrkdwn.
func spans(ss []bot.Span) string {
	var sb strings.Builder
	for _, s := range ss {
		switch s.Kind {
		case bot.Emphasis, bot.Match:
			if t := boldText(s.Text); t != "" {
				// Slack wants the markers against the word.
				lead := s.Text[:len(s.Text)-len(strings.TrimLeft(s.Text, " "))]
				trail := s.Text[len(strings.TrimRight(s.Text, " ")):]
				sb.WriteString(lead + "*" + t + "*" + trail)
			}
		case bot.Code:
			sb.WriteString("`" + escape(strings.ReplaceAll(s.Text, "`", "ˋ")) + "`")
		case bot.Link:
			if u := safeURL(s.URL); u != "" {
				sb.WriteString("<" + u + "|" + strings.ReplaceAll(escape(s.Text), "|", "¦") + ">")
			} else {
				sb.WriteString(escape(s.Text))
			}
		default:
			sb.WriteString(escape(s.Text))
		}
	}
	return sb.String()
}

func quote(s string) string { return "&gt; " + strings.ReplaceAll(s, "\n", "\n&gt; ") }

// escape is what mrkdwn needs escaped: & < > as entities. Slack has no
// escape for * _ ~: members' text keeps the formatting they typed.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// boldText is escaped text for inside *…*: without asterisks, which would
// end the bold, or spaces at its ends, which stop Slack reading it as bold.
func boldText(s string) string {
	return escape(strings.ReplaceAll(strings.TrimSpace(s), "*", "∗"))
}

// safeURL is u when it is a web link that cannot break out of <…|…>.
func safeURL(u string) string {
	if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " <>|\n\t") {
		return strings.ReplaceAll(u, "&", "&amp;")
	}
	return ""
}

// splitMrkdwn splits mrkdwn text (escaped and guarded: the limit is on
// what Slack receives) into texts of at most limit characters: between
// lines where it can, else between words of a long line, else between
// characters; never inside an entity (&amp;) or a <…|…> link. A quote
// line that goes on in the next text keeps its "&gt; ".
func splitMrkdwn(text string, limit int) []string {
	if utf8.RuneCountInString(text) <= limit {
		return []string{text}
	}
	var (
		out []string
		cur []string
		n   int
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur, n = nil, 0
		}
	}
	for _, line := range strings.Split(text, "\n") {
		for _, piece := range splitLine(line, limit) {
			pn := utf8.RuneCountInString(piece)
			if len(cur) > 0 && n+1+pn > limit {
				flush()
			}
			if len(cur) > 0 {
				n++
			}
			cur = append(cur, piece)
			n += pn
		}
	}
	flush()
	return out
}

// splitLine cuts one mrkdwn line into pieces of at most limit characters
// (see splitMrkdwn).
func splitLine(line string, limit int) []string {
	prefix := ""
	if strings.HasPrefix(line, "&gt; ") {
		prefix = "&gt; "
	}
	var out []string
	for utf8.RuneCountInString(line) > limit {
		r := []rune(line)
		head := string(r[:limit])
		at := safeCut(head)
		if at <= len(prefix) {
			at = len(head) // nothing safe to cut at: cut between characters
		}
		out = append(out, strings.TrimRight(line[:at], " "))
		line = prefix + strings.TrimLeft(line[at:], " ")
	}
	return append(out, line)
}

// safeCut is the byte offset in head of the last space outside a <…>
// link, or else where head can end outside an entity and a link; 0 when
// there is none.
func safeCut(head string) int {
	depth, space, clean := 0, 0, 0
	for i, r := range head {
		switch {
		case r == '<':
			depth++
		case r == '>' && depth > 0:
			depth--
		case r == ' ' && depth == 0:
			space = i
		}
		if depth == 0 {
			clean = i + utf8.RuneLen(r)
		}
	}
	if space > 0 {
		return space
	}
	// An entity is at most "&amp;": end before an '&' not closed by ';'.
	if amp := strings.LastIndexByte(head[:clean], '&'); amp >= 0 && !strings.Contains(head[amp:clean], ";") {
		clean = amp
	}
	return clean
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// slackPing matches what could notify on Slack: the special mentions
// (<!channel>, <!here>, <!everyone>, <!subteam^…>), user mentions (<@U…>,
// <@W…>) and the plain @channel, @here, @everyone that link_names would
// turn into them.
var slackPing = regexp.MustCompile(`(?i)<[!@]|@(everyone|here|channel)\b`)

// guard makes every mention in final text inert with a word joiner, which
// reads the same and pings nobody. Invalid UTF-8 is replaced.
func guard(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return slackPing.ReplaceAllStringFunc(s, func(m string) string {
		return m[:1] + "\u2060" + m[1:]
	})
}
