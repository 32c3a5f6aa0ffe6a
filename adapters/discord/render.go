package discord

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/repertoire/repertoire/bot"
)

// Discord's message components.
const (
	componentRow    = 1
	componentButton = 2
	buttonPrimary   = 1
	buttonSecondary = 2
	buttonSuccess   = 3
	maxRows         = 5 // action rows per message
)

// wireComponent is an action row or a button.
type wireComponent struct {
	Type       int             `json:"type"`
	Components []wireComponent `json:"components,omitempty"`
	Style      int             `json:"style,omitempty"`
	Label      string          `json:"label,omitempty"`
	CustomID   string          `json:"custom_id,omitempty"`
}

// Rendered is a document as Discord messages: contents split at
// MessageLimit between units, and the buttons, which go with the first
// message (the one the core records as the answer).
type Rendered struct {
	Texts      []string
	Components []wireComponent
}

// Render renders a document in Discord markdown: headings and highlighted
// matches in bold (**), commands as code, context lines as subtext (-#),
// member text escaped so it reads as typed, and one action row of buttons
// per entry that has actions (custom_id is the action's value). The
// mass-mention guard is applied to the final text.
func Render(d bot.Doc) Rendered {
	var parts []string
	var r Rendered
	for _, u := range d.Units() {
		var lines []string
		for _, b := range u {
			switch b.Kind {
			case bot.Divider:
				lines = append(lines, "───")
			case bot.Heading:
				lines = append(lines, "**"+boldText(bot.SpanText(b.Spans))+"**")
			case bot.Quote:
				lines = append(lines, quote(spans(b.Spans)))
			case bot.Context, bot.FeedbackHint:
				lines = append(lines, subtext(spans(b.Spans)))
			case bot.EntryList:
				for _, e := range b.Entries {
					lines = append(lines, entry(e))
					if row, ok := buttons(e); ok && len(r.Components) < maxRows {
						r.Components = append(r.Components, row)
					}
				}
			default:
				lines = append(lines, spans(b.Spans))
			}
		}
		if len(lines) > 0 {
			parts = append(parts, guard(strings.Join(lines, "\n")))
		}
	}
	r.Texts = bot.Split(parts, MessageLimit)
	for i := range r.Texts {
		r.Texts[i] = guard(r.Texts[i])
	}
	return r
}

func entry(e bot.DocEntry) string {
	var sb strings.Builder
	sb.WriteString("**")
	if e.N > 0 {
		sb.WriteString(strconv.Itoa(e.N) + ". ")
	}
	sb.WriteString(boldText(e.Title) + "**")
	if len(e.Body) > 0 {
		sb.WriteString("\n" + quote(spans(e.Body)))
	}
	meta := spans(e.Meta)
	if link := safeURL(e.Link); link != "" {
		if meta != "" {
			meta += " · "
		}
		meta += "[source](<" + link + ">)"
	}
	if meta != "" {
		sb.WriteString("\n" + subtext(meta))
	}
	return sb.String()
}

// buttons is an entry's action row; labels carry the entry's number.
func buttons(e bot.DocEntry) (wireComponent, bool) {
	row := wireComponent{Type: componentRow}
	for _, a := range e.Actions {
		if a.Value == "" || len(a.Value) > 100 {
			continue
		}
		label, style := a.Label, buttonSecondary
		if a.Pressed {
			label, style = "✓ "+label, buttonSuccess
		}
		if e.N > 0 {
			label = strconv.Itoa(e.N) + " · " + label
		}
		row.Components = append(row.Components, wireComponent{Type: componentButton, Style: style, Label: cut(label, 80), CustomID: a.Value})
	}
	return row, len(row.Components) > 0
}

// spans renders inline spans.
func spans(ss []bot.Span) string {
	var sb strings.Builder
	for _, s := range ss {
		switch s.Kind {
		case bot.Emphasis, bot.Match:
			if t := strings.TrimSpace(s.Text); t != "" {
				sb.WriteString("**" + boldText(s.Text) + "**")
			}
		case bot.Code:
			sb.WriteString("`" + strings.ReplaceAll(s.Text, "`", "ˋ") + "`")
		case bot.Link:
			if u := safeURL(s.URL); u != "" {
				sb.WriteString("[" + escape(s.Text) + "](<" + u + ">)")
			} else {
				sb.WriteString(escape(s.Text))
			}
		default:
			sb.WriteString(escape(s.Text))
		}
	}
	return sb.String()
}

// quote and subtext prefix every line.
func quote(s string) string   { return prefixLines(s, "> ") }
func subtext(s string) string { return prefixLines(s, "-# ") }

func prefixLines(s, p string) string {
	return p + strings.ReplaceAll(s, "\n", "\n"+p)
}

// markdownChars are what Discord markdown gives a meaning anywhere in a line.
var markdownChars = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`)

// lineStart are what Discord markdown gives a meaning at the start of a line.
var lineStart = regexp.MustCompile(`(?m)^(\s*)([#>-]|\d+\.)`)

// escape makes text read as typed in Discord markdown.
func escape(s string) string {
	s = markdownChars.Replace(s)
	return lineStart.ReplaceAllString(s, `$1\$2`)
}

// boldText is text inside ** **: escaped, and without the spaces at its
// ends that would stop Discord reading it as bold.
func boldText(s string) string { return escape(strings.TrimSpace(s)) }

// safeURL is u when it is a web link Discord shows as one, else "".
func safeURL(u string) string {
	if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " <>()\n\t") {
		return u
	}
	return ""
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// discordPing matches what Discord turns into a notification: @everyone,
// @here, and user, member and role mentions (<@id>, <@!id>, <@&id>).
var discordPing = regexp.MustCompile(`@(everyone|here)|<(@[!&]?\d+>)`)

// guard makes every mention in the final text inert with a word joiner: it
// reads the same and pings nobody, even where allowed_mentions would not
// apply. Invalid UTF-8 is replaced.
func guard(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return discordPing.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '@' {
			return "@\u2060" + m[1:]
		}
		return "<\u2060" + m[1:]
	})
}
