package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
)

// hostile holds terminal escape sequences: clear screen, a title change, a
// disguised hyperlink, colour through the 8-bit CSI, a carriage return that
// overwrites the line, a bell and a right-to-left override.
const hostile = "Rotate keys with vault \x1b[2J\x1b]0;pwned\x07 see \x1b]8;;http://evil.example/\x07the docs\x1b]8;;\x07 \u009b31mred\r overwritten \u202eevil\u202c #vault"

// rawEscapes lists what must never be written raw to a terminal or a
// Markdown file.
var rawEscapes = []string{"\x1b", "\x07", "\r", "\u009b", "\u202e", "\u202c"}

func checkNoEscapes(t *testing.T, where, out string) {
	t.Helper()
	if !strings.Contains(out, "vault") {
		t.Errorf("%s: the entry is not there at all:\n%q", where, out)
	}
	for _, e := range rawEscapes {
		if strings.Contains(out, e) {
			t.Errorf("%s: raw %q in output:\n%q", where, e, out)
		}
	}
}

// TestEscapesNeutralisedEverywhere saves an entry full of escape sequences
// and reads it back through every way it is printed or written.
func TestEscapesNeutralisedEverywhere(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "esc.db")
	shell := runScript(t, db, "/as mallory", hostile, "/as bob", "/react 1", "@repertoire how do I rotate keys with vault?")
	checkNoEscapes(t, "shell", shell)
	if !strings.Contains(shell, "␛[2J") {
		t.Errorf("the escape should show as a visible ␛:\n%s", shell)
	}
	env := func(k string) string { return map[string]string{"REPERTOIRE_DB": db}[k] }
	for _, args := range [][]string{
		{"search", "rotate", "keys"},
		{"entries"},
		{"digest", "-channel", "general", "-dry-run", "-since", "2000-01-01"},
	} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), args, env, nil, &out, &errs); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
		checkNoEscapes(t, strings.Join(args, " "), out.String()+errs.String())
	}
	md := filepath.Join(dir, "md")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"export", "-format", "markdown", "-out", md}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	err := filepath.WalkDir(md, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		all.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNoEscapes(t, "markdown export", all.String())
}

// syncBuffer is a bytes.Buffer the program's goroutines write to while the
// test reads it; changed receives after each write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the buffer holds want.
func (s *syncBuffer) waitFor(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(s.String(), want) {
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("no %q within %v in:\n%s", want, timeout, s.String())
		}
	}
}

// TestSecretsNeverLogged runs the bot over the loopback Slack at debug
// level; a slash command's response_url fails, which is logged. Neither the
// response_url, nor the tokens, nor URL credentials appear in any log line
// or error.
func TestSecretsNeverLogged(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "secrets.db")
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken,
		"SLACK_API_URL": fake.URL, "REPERTOIRE_LOG_LEVEL": "debug"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{changed: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, logs)
	}()
	if err := fake.WaitConnected(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	const capability = "T0001/1234/Zq8capabilitySecret"
	cmd, _ := fake.Slash("C1", "general", "U5", "ask rotating a certificate")
	cmd["response_url"] = "http://127.0.0.1:1/commands/" + capability
	body, _ := json.Marshal(cmd)
	envID := fake.Envelope("slash_commands", body)
	if err := fake.WaitAck(envID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "event failed", 10*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	out := logs.String()
	for _, secret := range []string{"capabilitySecret", fake.BotToken, fake.AppToken} {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold the secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "REDACTED") {
		t.Errorf("expected the failure to be logged with the URL redacted:\n%s", out)
	}

	// Configuration errors do not echo credentials.
	for _, v := range []string{"https://user:hunter2@proxy.example/api", "ftp://user:hunter2@proxy.example/"} {
		err := run(context.Background(), []string{"version"}, func(k string) string {
			return map[string]string{"SLACK_API_URL": v}[k]
		}, nil, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "SLACK_API_URL") {
			t.Errorf("SLACK_API_URL %s: %v", v, err)
		}
	}
}
