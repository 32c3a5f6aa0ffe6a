package shell

import (
	"strconv"
	"strings"

	"github.com/repertoire/repertoire/bot"
)

// Render is the shell's rendering of a document: plain text, entries
// numbered, and under an entry with buttons the commands that press them
// ("/helped 2 · /notit 2"). Crowd pings are made inert in the final text.
func Render(d bot.Doc) string {
	var parts []string
	for _, u := range d.Units() {
		var lines []string
		for _, b := range u {
			switch b.Kind {
			case bot.Divider:
			case bot.Heading:
				lines = append(lines, "== "+bot.SpanText(b.Spans)+" ==")
			case bot.Quote:
				lines = append(lines, "“"+bot.SpanText(b.Spans)+"”")
			case bot.EntryList:
				for _, e := range b.Entries {
					lines = append(lines, renderEntry(e))
				}
			case bot.FeedbackHint:
				lines = append(lines, feedbackHint)
			default:
				lines = append(lines, bot.SpanText(b.Spans))
			}
		}
		if len(lines) > 0 {
			parts = append(parts, strings.Join(lines, "\n"))
		}
	}
	return bot.Inert(strings.Join(parts, "\n\n"))
}

func renderEntry(e bot.DocEntry) string {
	text := bot.PlainEntry(e)
	if e.N == 0 || len(e.Actions) == 0 {
		return text
	}
	var cmds []string
	for _, a := range e.Actions {
		cmd := actionCommand(a.Value)
		if cmd == "" {
			continue
		}
		c := cmd + " " + strconv.Itoa(e.N)
		if a.Pressed {
			c += " ✓"
		}
		cmds = append(cmds, c)
	}
	if len(cmds) > 0 {
		text += "\n   → " + strings.Join(cmds, " · ")
	}
	return text
}

// feedbackHint names the commands the shell prints under each entry, in
// place of the core's words for buttons.
const feedbackHint = "Did one help? Say so with /helped N (or /notit N if it was not it), N being its number: recall learns from it. A 👍 or 👎 on this message (/react with its number) counts for the first entry."

// actionCommand is the shell command that presses a button.
func actionCommand(value string) string {
	if _, helpful, err := bot.ParseFeedback(value); err == nil {
		if helpful {
			return "/helped"
		}
		return "/notit"
	}
	return ""
}
