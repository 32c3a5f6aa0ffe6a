package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

var funcs = template.FuncMap{
	"mark":     mark,
	"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"weekday":  func(t time.Time) string { return t.UTC().Format("2 Jan") },
	"httpURL":  httpURL,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"entryURL":   func(id int64) string { return fmt.Sprintf("/entries/%d", id) },
	"tagURL":     func(t string) string { return "/tags/" + url.PathEscape(t) },
	"channelURL": func(id string) string { return "/channels/" + url.PathEscape(id) },
	"memberURL":  func(id string) string { return "/members/" + url.PathEscape(id) },
	"searchURL":  func(q string) string { return "/search?" + url.Values{"q": {q}}.Encode() },
	"name": func(p bot.Person) string {
		if p.Name != "" {
			return p.Name
		}
		return "a member"
	},
	"short": func(s string, n int) string {
		s = strings.Join(strings.Fields(s), " ")
		if r := []rune(s); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return s
	},
	"add": func(a, b int) int { return a + b },
}

// mark renders a recall snippet: the text escaped, and the words the store
// marked as matching (Highlights, byte spans of the snippet) wrapped in
// <mark>. Nothing of the text can become markup.
func mark(h bot.Hit) template.HTML {
	var sb strings.Builder
	at := 0
	for _, s := range h.Highlights {
		if s.Start < at || s.End > len(h.Snippet) || s.Start >= s.End {
			continue
		}
		sb.WriteString(template.HTMLEscapeString(h.Snippet[at:s.Start]))
		sb.WriteString("<mark>" + template.HTMLEscapeString(h.Snippet[s.Start:s.End]) + "</mark>")
		at = s.End
	}
	sb.WriteString(template.HTMLEscapeString(h.Snippet[at:]))
	return template.HTML(sb.String())
}

// httpURL reports whether a permalink can be a link (http or https); others
// (the shell's) are shown as text.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
