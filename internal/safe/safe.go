// Package safe keeps what Repertoire prints harmless: text from members
// (and from imported exports) cannot drive the operator's terminal or a
// Markdown reader, and secrets or capability URLs (tokens, a slash
// command's response_url, an interaction token, credentials in a URL)
// never reach a log line or an error message.
//
// It imports only the standard library so that every layer can use it.
package safe

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Text neutralises control characters and escape sequences in s for a
// terminal or a Markdown file: newlines and tabs stay; every other C0
// control, DEL and C1 control is shown as its Unicode control picture (ESC
// becomes ␛), so an escape sequence is printed, not obeyed; bidirectional
// overrides and isolates (which reorder what the eye sees) are dropped, and
// invalid UTF-8 becomes U+FFFD.
func Text(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case r >= 0x80 && r < 0xa0:
			b.WriteRune('\uFFFD')
		case bidi(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Line is Text on one line: newlines and tabs become spaces too.
func Line(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, Text(s))
}

func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) || bidi(r)
}

func bidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// Redacted is written in place of a secret.
const Redacted = "REDACTED"

var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	// Credentials in a URL: scheme://user:password@host.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@"'<>]+@`), "${1}" + Redacted + "@"},
	// Slack tokens (bot, user, app-level, configuration, refresh).
	{regexp.MustCompile(`\b(xox[abeoprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9\-]+`), "${1}-" + Redacted},
	// Slack incoming webhooks and slash-command response_urls.
	{regexp.MustCompile(`(?i)(hooks\.slack(?:-gov)?\.com/)[^\s"'<>]+`), "${1}" + Redacted},
	// A response_url on any host (loopback fakes, proxies, GovSlack).
	{regexp.MustCompile(`(?i)(/(?:commands|actions|response)/)[^\s"'<>]+`), "${1}" + Redacted},
	// Discord interaction and webhook tokens in REST paths.
	{regexp.MustCompile(`(?i)(/(?:interactions|webhooks)/\d+/)[^\s/"'<>?]+`), "${1}" + Redacted},
	// Authorization headers echoed by a client.
	{regexp.MustCompile(`(?i)\b(bearer|bot)\s+[A-Za-z0-9._\-]{16,}`), "${1} " + Redacted},
	// A Discord bot token: base64 user ID, timestamp, HMAC.
	{regexp.MustCompile(`\b[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,}`), Redacted},
}

// Redactor removes secrets from text: the shapes of known secrets (see
// String) and the exact values it was given, such as the configured tokens.
type Redactor struct {
	values []string
}

// NewRedactor returns a Redactor that also removes each of values (empty and
// very short values are ignored: they would blank ordinary words).
func NewRedactor(values ...string) *Redactor {
	r := &Redactor{}
	for _, v := range values {
		if len(v) >= 6 {
			r.values = append(r.values, v)
		}
	}
	return r
}

// String returns s without secrets: URL credentials, Slack tokens, Slack
// response and webhook URLs, Discord interaction and webhook tokens, bearer
// tokens, Discord bot tokens, and the Redactor's own values.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, v := range r.values {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// String removes the shapes of known secrets from s.
func String(s string) string { return (*Redactor)(nil).String(s) }

// Error returns err with a redacted message; errors.Is and errors.As still
// see through it. Nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

// Error removes the shapes of known secrets from err's message.
func Error(err error) error { return (*Redactor)(nil).Error(err) }

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler wraps h so that no record it writes holds a secret: the message
// and every attribute (strings, errors, anything printed with %v, in groups
// too) pass through r.
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	return &handler{h: h, r: r}
}

type handler struct {
	h slog.Handler
	r *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &handler{h: h.h.WithAttrs(clean), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h: h.h.WithGroup(name), r: h.r}
}

func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.String(err.Error()))
		}
		// Anything else is printed with %v by the handlers: print it here
		// and redact the result.
		return slog.String(a.Key, h.r.String(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

var _ error = (*redactedError)(nil)
