package safe

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, émoji 💡\nnext\tline", "plain text, émoji 💡\nnext\tline"},
		{"\x1b[2Jclear", "␛[2Jclear"},
		{"title\x1b]0;pwned\x07", "title␛]0;pwned␇"},
		{"a\rb", "a␍b"},
		{"del\x7f", "del␡"},
		{"c1 \u009b31m", "c1 \uFFFD31m"},
		{"rlo \u202eevil\u202c", "rlo evil"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"nul\x00", "nul␀"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Line("a\nb\tc\x1b"); got != "a b c␛" {
		t.Errorf("Line: %q", got)
	}
}

func TestRedact(t *testing.T) {
	r := NewRedactor("s3cr3t-signing", "", "abc")
	for _, tc := range []struct{ in, secret string }{
		{"https://user:hunter2@proxy.example/api/", "hunter2"},
		{"http://token@proxy.example/", "token@"},
		{"auth failed for xoxb-1234-5678-abcdEFGH", "abcdEFGH"},
		{"app token xapp-1-A01-123-deadbeef", "deadbeef"},
		{`Post "https://hooks.slack.com/commands/T1/123/AbCdEf": dial tcp: refused`, "AbCdEf"},
		{`Post "http://127.0.0.1:4242/response/7": EOF`, "/response/7"},
		{`Post "https://discord.com/api/v9/interactions/1234/aW50ZXJhY3Rpb24token/callback": 404`, "aW50ZXJhY3Rpb24token"},
		{`PATCH https://discord.com/api/v9/webhooks/99/tokEnValue123/messages/@original`, "tokEnValue123"},
		{"Authorization: Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz0123"},
		{"signing secret s3cr3t-signing leaked", "s3cr3t-signing"},
	} {
		got := r.String(tc.in)
		if strings.Contains(got, tc.secret) || !strings.Contains(got, Redacted) {
			t.Errorf("String(%q) = %q: still holds %q", tc.in, got, tc.secret)
		}
	}
	if got := r.String("an ordinary line about abc and a bot"); got != "an ordinary line about abc and a bot" {
		t.Errorf("ordinary text changed: %q", got)
	}

	inner := &url.Error{Op: "Post", URL: "https://hooks.slack.com/commands/T1/2/secret", Err: fs.ErrNotExist}
	err := Error(fmt.Errorf("slack post: %w", inner))
	if strings.Contains(err.Error(), "secret") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error: %v (Is ErrNotExist: %v)", err, errors.Is(err, fs.ErrNotExist))
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Error("errors.As does not see through")
	}
	if Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

// TestHandler logs secrets every way slog takes values, at debug level,
// through both handlers the program uses.
func TestHandler(t *testing.T) {
	for _, json := range []bool{false, true} {
		var buf bytes.Buffer
		opts := &slog.HandlerOptions{Level: slog.LevelDebug}
		var h slog.Handler = slog.NewTextHandler(&buf, opts)
		if json {
			h = slog.NewJSONHandler(&buf, opts)
		}
		log := slog.New(NewRedactor("configured-discord-token").Handler(h))
		log = log.With("url", "https://u:hunter2@example.com/").WithGroup("g")
		log.Debug("posting to https://hooks.slack.com/commands/T/1/secret1",
			"err", fmt.Errorf("wrapped: %w", errors.New("xoxb-1-2-secret2")),
			"token", "configured-discord-token",
			slog.Group("inner", "resp", "http://127.0.0.1:9/response/secret3"),
			"any", stringer{"xapp-1-secret4"},
			"n", 3)
		out := buf.String()
		for _, s := range []string{"hunter2", "secret1", "secret2", "configured-discord-token", "secret3", "secret4"} {
			if strings.Contains(out, s) {
				t.Errorf("json=%v: %q logged:\n%s", json, s, out)
			}
		}
		if !strings.Contains(out, "3") || !strings.Contains(out, "posting to") {
			t.Errorf("json=%v: the record lost its content:\n%s", json, out)
		}
	}
}
