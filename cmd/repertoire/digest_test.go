package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	return out.String(), errs.String(), err
}

// The terminal digest of a channel saved through the shell: the entry with
// its credits and link, crowd pings inert; -dry-run posts nothing.
func TestDigestCommandPrintsTheChannelsDigest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "digest.db")
	runScript(t, db,
		"/as alice",
		"How do I rotate the TLS certificate? #tls",
		"/as bob",
		"/reply 1 Run certbot renew, then reload nginx. @everyone",
		"/as carol",
		"/react 2",
		"/as dave",
		"@repertoire digest weekly mon 09:00 Europe/Berlin",
	)
	env := map[string]string{"REPERTOIRE_DB": db}
	out, errs, err := runArgs(t, env, "digest", "-channel", "general", "-since", "2020-01-01", "-dry-run")
	if err != nil {
		t.Fatalf("digest: %v\n%s", err, errs)
	}
	for _, want := range []string{"What #general learned", "How do I rotate the TLS certificate?", "tip by bob, saved by carol",
		"shell:#general/", "Thanks to everyone who shared and saved: bob (1 shared), carol (1 saved)"} {
		if !strings.Contains(out, want) {
			t.Errorf("digest lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@everyone") || strings.Contains(errs, "posted") {
		t.Errorf("dry run pinged or posted:\n%s\n%s", out, errs)
	}

	// Without -dry-run it is posted through the shell adapter too.
	out, errs, err = runArgs(t, env, "digest", "-channel", "general", "-since", "2020-01-01")
	if err != nil || !strings.Contains(errs, "posted to shell channel general") {
		t.Errorf("post: %v\n%s\n%s", err, out, errs)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"digest"}, "needs -channel"},
		{[]string{"digest", "-channel", "nowhere"}, `no channel "nowhere"`},
		{[]string{"digest", "-channel", "general", "-since", "last week"}, "use a date such as 2026-11-16"},
	} {
		_, _, err := runArgs(t, env, tc.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want a usage error saying %q", tc.args, err, tc.want)
		}
	}
}

func TestBadDigestScheduleIsRefusedNamingTheVariable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bad.db")
	for _, args := range [][]string{{"run"}, {"digest", "-channel", "general"}} {
		_, _, err := runArgs(t, map[string]string{"REPERTOIRE_DB": db, "REPERTOIRE_DIGEST_SCHEDULE": "every monday"}, args...)
		if err == nil || !strings.Contains(err.Error(), "REPERTOIRE_DIGEST_SCHEDULE") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// A channel with a digest setting and no entry yet: the dry run names it as
// the posted digest does (it said "What this channel learned").
func TestDigestDryRunNamesAChannelWithoutEntries(t *testing.T) {
	db := filepath.Join(t.TempDir(), "digest.db")
	runScript(t, db,
		"/as dave",
		"@repertoire digest weekly mon 09:00 Europe/Berlin",
	)
	out, errs, err := runArgs(t, map[string]string{"REPERTOIRE_DB": db}, "digest", "-channel", "general", "-since", "2020-01-01", "-dry-run")
	if err != nil {
		t.Fatalf("digest: %v\n%s", err, errs)
	}
	if !strings.Contains(out, "#general") || strings.Contains(out, "this channel") {
		t.Errorf("dry run does not name the channel:\n%s", out)
	}
}
