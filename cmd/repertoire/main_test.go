package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// runScript runs the program on a shell script of member input and returns
// what it printed.
func runScript(t *testing.T, db string, script ...string) string {
	t.Helper()
	return runScriptEnv(t, map[string]string{"REPERTOIRE_DB": db}, script...)
}

// runScriptEnv is runScript with a whole environment.
func runScriptEnv(t *testing.T, env map[string]string, script ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	in := strings.NewReader(strings.Join(script, "\n") + "\n")
	if err := run(context.Background(), []string{"run"}, func(k string) string { return env[k] }, in, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	return out.String()
}

func openDB(t *testing.T, db string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestShellEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.db")
	out := runScript(t, db,
		"/as alice",
		"How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob",
		"/reply 1 Run certbot renew --force-renewal, then reload nginx. @everyone <!channel>",
		"/as carol",
		"/react 2",
		"/redeliver", // the platform delivers the same reaction again
		"/as dave",
		"@repertoire how are certificates rotated?",
	)
	s := openDB(t, db)
	entries, err := s.Entries(context.Background(), repertoire.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("want one entry, got %d:\n%s", len(entries), out)
	}
	e := entries[0]
	if e.Author.Name != "bob" || len(e.Savers) != 1 || e.Savers[0].Name != "carol" || e.Votes != 1 {
		t.Errorf("entry credits: author %q savers %+v votes %d", e.Author.Name, e.Savers, e.Votes)
	}
	if !strings.Contains(e.Question, "rotate the TLS certificate") || e.QuestionAuthor.Name != "alice" || e.Kind != repertoire.Tip {
		t.Errorf("entry question/kind: %+v", e)
	}
	if strings.Join(e.Tags, ",") != "tls" || len(e.Terms) == 0 {
		t.Errorf("tags %v terms %v", e.Tags, e.Terms)
	}
	if !strings.Contains(out, "repertoire reacted 📚 to [2]") {
		t.Errorf("no quiet acknowledgement:\n%s", out)
	}
	answer := out[strings.Index(out, "how are certificates rotated?"):]
	if !regexp.MustCompile(`shell:#general/\w+-2\b`).MatchString(answer) {
		t.Errorf("recall answer lacks the link to message 2:\n%s", answer)
	}
	for _, want := range []string{"Here is what the repertoire has", "Run certbot renew", "by bob"} {
		if !strings.Contains(answer, want) {
			t.Errorf("recall answer lacks %q:\n%s", want, answer)
		}
	}
	for _, ping := range []string{"@everyone", "<!channel>"} {
		if strings.Contains(answer, ping) {
			t.Errorf("recall answer would ping: %q in\n%s", ping, answer)
		}
	}

	// Taking back the only 💡 undoes the save.
	db2 := filepath.Join(t.TempDir(), "undo.db")
	runScript(t, db2, "A tip: `git worktree` beats stash", "/react 1", "/unreact 1")
	if entries, _ := openDB(t, db2).Entries(context.Background(), repertoire.ListParams{}); len(entries) != 0 {
		t.Errorf("entry should be gone after the only 💡 was removed: %+v", entries)
	}
}

func TestShellPrivacyEditDeleteForget(t *testing.T) {
	db := filepath.Join(t.TempDir(), "life.db")
	out := runScript(t, db,
		"/as bob",
		"/private ops",
		"The vault unseal keys are in the red binder",
		"/react 1",
		"/channel general",
		"@repertoire where are the vault unseal keys?",
		"/private ops",
		"@repertoire vault unseal keys",
		"/channel general",
		"Deploys: run make release from a clean tree",
		"/as carol",
		"/react 6 ✅",
		"/as bob",
		"/edit 6 Deploys: run goreleaser from a clean tree",
		"/as dave",
		"@repertoire goreleaser",
		"@repertoire make release",
	)
	parts := strings.Split(out, "@repertoire ")
	if len(parts) != 5 {
		t.Fatalf("unexpected transcript:\n%s", out)
	}
	if strings.Contains(parts[1], "red binder") || !strings.Contains(parts[1], "open question") {
		t.Errorf("private entry leaked to #general:\n%s", parts[1])
	}
	if !strings.Contains(parts[2], "red binder") {
		t.Errorf("private entry not found in its own channel:\n%s", parts[2])
	}
	if !strings.Contains(parts[3], "goreleaser") || !strings.Contains(parts[3], "solution by bob") {
		t.Errorf("edit not applied to the entry:\n%s", parts[3])
	}
	if strings.Contains(parts[4], "Here is what") {
		t.Errorf("old text still found after edit:\n%s", parts[4])
	}

	out = runScript(t, db, "/as bob", "@repertoire forget me", "@repertoire forget me")
	if !strings.Contains(out, "removed 2 entries") {
		t.Errorf("forget me:\n%s", out)
	}
	if entries, _ := openDB(t, db).Entries(context.Background(), repertoire.ListParams{}); len(entries) != 0 {
		t.Errorf("bob's entries remain: %+v", entries)
	}
}

func TestShellSurvivesHostileInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hostile.db")
	huge := strings.Repeat("λ", 40000)
	out := runScript(t, db,
		"Use NEAR(a b) \"quotes\" and col:x ^y (( here",
		"/react 1",
		"@repertoire NEAR(\"unbalanced (( col: ^ * AND OR NOT",
		"@repertoire \xff\xfe invalid utf8 \xc3",
		"@repertoire "+huge,
		huge+" tail",
		"/react 99",
		"/react x",
		"/reply 1",
		"/unknown",
		"@repertoire",
		"@repertoire save",
		"@repertoire near unbalanced quotes",
	)
	if strings.Contains(out, "Something went wrong") || strings.Contains(out, "could not handle") {
		t.Errorf("an input made the bot fail:\n%s", out)
	}
	if !regexp.MustCompile(`shell:#general/\w+-1\b`).MatchString(out[strings.LastIndex(out, "near unbalanced quotes"):]) {
		t.Errorf("entry with FTS syntax in it not recalled:\n%.3000s", out)
	}
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SLACK_BOT_TOKEN": "nope"}, "SLACK_BOT_TOKEN"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"},
		{map[string]string{"SLACK_API_URL": "ftp://x/"}, "SLACK_API_URL"},
		{map[string]string{"DISCORD_API_URL": "http://127.0.0.1:1"}, "DISCORD_API_URL"},
		{map[string]string{"REPERTOIRE_TZ": "Mars/Olympus"}, "REPERTOIRE_TZ"},
		{map[string]string{"REPERTOIRE_LOG_LEVEL": "loud"}, "REPERTOIRE_LOG_LEVEL"},
		{map[string]string{"REPERTOIRE_LOG_FORMAT": "xml"}, "REPERTOIRE_LOG_FORMAT"},
		{map[string]string{"REPERTOIRE_MESSAGE_RETENTION": "forever"}, "REPERTOIRE_MESSAGE_RETENTION"},
		{map[string]string{"REPERTOIRE_MESSAGE_RETENTION": "-3d"}, "REPERTOIRE_MESSAGE_RETENTION"},
		{map[string]string{"REPERTOIRE_CAPTURE_EMOJI": "💡=idea"}, "REPERTOIRE_CAPTURE_EMOJI"},
		{map[string]string{"SLACK_READ_INTERVAL": "soon"}, "SLACK_READ_INTERVAL"},
		{map[string]string{"SLACK_READ_INTERVAL": "-1s"}, "SLACK_READ_INTERVAL"},
		{map[string]string{"REPERTOIRE_CATCHUP": "a day"}, "REPERTOIRE_CATCHUP"},
		{map[string]string{"REPERTOIRE_CATCHUP": "-1h"}, "REPERTOIRE_CATCHUP"},
		{map[string]string{"REPERTOIRE_CAPTURE_EMOJI": "compass"}, "REPERTOIRE_CAPTURE_EMOJI"},
		{map[string]string{"REPERTOIRE_CAPTURE_EMOJI": "💡=off bulb=off ✅=off white_check_mark=off 📖=off book=off open_book=off"}, "REPERTOIRE_CAPTURE_EMOJI"},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), nil, func(k string) string { return tc.env[k] }, strings.NewReader(""), &out, &errs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: err %v, want it to name %s", tc.env, err, tc.want)
		}
	}
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v", err)
	}
}

// REPERTOIRE_CAPTURE_EMOJI adds a capture emoji (and help lists it) or
// takes one away.
func TestCaptureEmojiConfigured(t *testing.T) {
	db := filepath.Join(t.TempDir(), "capture.db")
	out := runScriptEnv(t, map[string]string{"REPERTOIRE_DB": db, "REPERTOIRE_CAPTURE_EMOJI": "🧭=how-we-do, compass=how-we-do, 📖=off, book=off"},
		"/as alice",
		"How do we hand over on-call?",
		"/as bob",
		"/reply 1 Write the handover note in #oncall before 17:00.",
		"/as carol",
		"/react 2 📖",
		"/react 2 🧭",
		"@repertoire help",
	)
	if !strings.Contains(out, "🧭 (how-we-do)") || strings.Contains(out, "📖 (story)") {
		t.Errorf("help does not list the configured emoji:\n%s", out)
	}
	entries, err := openDB(t, db).Entries(context.Background(), repertoire.ListParams{})
	if err != nil || len(entries) != 1 || entries[0].Kind != repertoire.HowWeDo || entries[0].Votes != 1 {
		t.Fatalf("entries %+v %v: want one how-we-do entry saved by 🧭 (📖 turned off)", entries, err)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "./repertoire.db" || c.Slack() || c.Discord() || c.DigestSchedule != "0 9 * * MON" || c.TZ.String() != "UTC" ||
		c.SlackAPIURL != "https://slack.com/api/" || c.DiscordAPIURL != "https://discord.com/" || c.HTTPAddr != "" ||
		c.MessageRetention != 30*24*time.Hour {
		t.Errorf("defaults: %+v", c)
	}
	c, err = parseConfig(func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}[k]
	})
	if err != nil || c.HTTPAddr != ":8080" {
		t.Errorf("Events API turns the HTTP listener on: %q %v", c.HTTPAddr, err)
	}
}

func TestSearchAndEntriesCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	runScript(t, db, "Tip: use `go test -run X -count=1` to skip the cache #go", "/react 1")
	env := func(k string) string { return map[string]string{"REPERTOIRE_DB": db}[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"search", "testing cache"}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "skip the cache") || strings.Contains(out.String(), "*") {
		t.Errorf("search output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"entries"}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 entry") || !strings.Contains(out.String(), "tags: go") {
		t.Errorf("entries output:\n%s", out.String())
	}
}

func TestHealthAndMetrics(t *testing.T) {
	db := filepath.Join(t.TempDir(), "http.db")
	runScript(t, db, "/private ops", "secret tip", "/react 1", "/channel general", "public tip", "/react 2", "@repertoire how do I match zzz quux?")
	store := openDB(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, "127.0.0.1:0", newMux(store, nil), slog.New(slog.DiscardHandler), ready)
	}()
	addr := <-ready
	get := func(path string) string {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if got := get("/healthz"); got != "ok\n" {
		t.Errorf("healthz %q", got)
	}
	// /metrics is served only when REPERTOIRE_METRICS asks for it.
	if resp, err := http.Get("http://" + addr + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without REPERTOIRE_METRICS: %v %v", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}
