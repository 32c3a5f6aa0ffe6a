package web

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
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

// marked is a word recall's snippet marks as matching (*word*); only
// letters and digits, which escaping leaves as they are.
var marked = regexp.MustCompile(`\*([\p{L}\p{N}]+)\*`)

// mark renders a recall snippet: the text escaped first, then the matched
// words wrapped in <mark>. Nothing of the text can become markup.
func mark(snippet string) template.HTML {
	esc := template.HTMLEscapeString(snippet)
	return template.HTML(marked.ReplaceAllString(esc, "<mark>$1</mark>"))
}

// httpURL reports whether a permalink can be a link (http or https); others
// (the shell's) are shown as text.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
