package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

func runDoctor(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"doctor"}, func(k string) string { return env[k] }, nil, &out, &errs)
	return out.String() + errs.String(), err
}

// TestDoctor runs the doctor against a good set-up over the loopback Slack,
// then against broken ones: each broken case fails, names the fix, and the
// doctor changes nothing on disk.
func TestDoctor(t *testing.T) {
	fake := slacktest.New(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "good.db")
	runScript(t, db, "Tip: drain the node before the upgrade #k8s", "/react 1", "@repertoire digest weekly mon 09:00 Europe/Berlin")
	good := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": fake.BotToken, "SLACK_APP_TOKEN": fake.AppToken, "SLACK_API_URL": fake.URL}
	// Whether that short run got to create the inbox file depends on its
	// start-up write check racing its end of input (a check cut short
	// leaves a file without the table): a bot that has run creates it, so
	// the good set-up does it here, deterministically, and closes cleanly.
	if s, err := sqlite.Open(context.Background(), db, nil); err != nil {
		t.Fatal(err)
	} else if err := errors.Join(s.CanWrite(context.Background()), s.Close()); err != nil {
		t.Fatal(err)
	}
	before := dirSum(t, dir)
	out, err := runDoctor(t, good)
	if err != nil || strings.Contains(out, "✗") {
		t.Fatalf("good set-up: %v\n%s", err, out)
	}
	for _, want := range []string{"✓ configuration: Slack over Socket Mode", "quick_check ok", "(current)", "✓ Slack auth.test: bot repertoire", "default digest schedule", "next"} {
		if !strings.Contains(out, want) {
			t.Errorf("good set-up lacks %q:\n%s", want, out)
		}
	}
	after := dirSum(t, dir)
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("doctor changed %s", name)
		}
	}
	if !strings.Contains(out, "-inbox: quick_check ok, nothing pending") {
		t.Errorf("no inbox check:\n%s", out)
	}
	// Acknowledged deliveries waiting in the inbox's own file are shown.
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitInbox(context.Background(), []repertoire.InboxItem{{Platform: "slack", Kind: "event", Delivery: "Ev1", Channel: "C1", Payload: []byte("{}")}}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if out, err := runDoctor(t, good); err != nil || !strings.Contains(out, "deliveries pending: 1, the oldest from") {
		t.Errorf("one pending delivery: %v\n%s", err, out)
	}

	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 100)), 0o644)
	newer := filepath.Join(dir, "newer.db")
	runScript(t, newer, "hello")
	sdb, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range good {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    string // the failed check
		wantFix string // and its fix
	}{
		{"revoked token", with("SLACK_BOT_TOKEN", "xoxb-revoked-0000"), "✗ Slack auth.test", "SLACK_BOT_TOKEN"},
		{"no database", with("REPERTOIRE_DB", filepath.Join(dir, "missing.db")), "does not exist", "REPERTOIRE_DB"},
		{"not a database", with("REPERTOIRE_DB", junk), "✗ database", "restore"},
		{"newer schema", with("REPERTOIRE_DB", newer), "newer than this binary", "release"},
		{"bad configuration", with("REPERTOIRE_TZ", "Mars/Olympus"), "✗ configuration: REPERTOIRE_TZ", "correct that variable"},
	} {
		out, err := runDoctor(t, tc.env)
		if err == nil {
			t.Errorf("%s: doctor passed:\n%s", tc.name, out)
			continue
		}
		i := strings.Index(out, tc.want)
		if i < 0 {
			t.Errorf("%s: no %q:\n%s", tc.name, tc.want, out)
			continue
		}
		line := out[i:]
		if j := strings.Index(line, "\n✓"); j > 0 {
			line = line[:j]
		}
		if !strings.Contains(line, "fix: ") || !strings.Contains(line, tc.wantFix) {
			t.Errorf("%s: the fix does not name %q:\n%s", tc.name, tc.wantFix, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("doctor created the missing database")
	}
}
