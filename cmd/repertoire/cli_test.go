package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// dirSum hashes every file in dir (the database, its WAL and shared memory).
func dirSum(t *testing.T, dir string) map[string][sha256.Size]byte {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string][sha256.Size]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sums[f.Name()] = sha256.Sum256(b)
	}
	return sums
}

// TestHelpDoesNothingElse asks every subcommand for help every way there is,
// with Slack and Discord tokens set and a database holding a private entry:
// each prints its usage, exits 0, connects to nothing, leaves the
// database's bytes as they were and prints nothing from the store.
func TestHelpDoesNothingElse(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "help.db")
	runScript(t, db, "/private ops", "Secret: the vault unseal keys are in the red binder #vault", "/react 1")
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer srv.Close()
	env := map[string]string{"REPERTOIRE_DB": db, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"SLACK_API_URL": srv.URL + "/", "DISCORD_TOKEN": "discord-token", "DISCORD_API_URL": srv.URL + "/",
		"REPERTOIRE_HTTP_ADDR": "127.0.0.1:0"}
	before := dirSum(t, dir)

	cases := [][]string{{"-h"}, {"--help"}, {"help"}, {"-help"}}
	for _, cmd := range commandNames {
		cases = append(cases, []string{cmd, "-h"}, []string{cmd, "--help"}, []string{"help", cmd}, []string{cmd, "help"})
	}
	cases = append(cases,
		[]string{"export", "-format", "json", "-h"},
		[]string{"export", "-private", "--help", "-format", "csv"},
		[]string{"search", "vault", "unseal", "-h"},
		[]string{"import", "repertoire", "x.json", "--help"},
		[]string{"digest", "-channel", "ops", "-h"},
		[]string{"entries", "-n", "3", "--help"},
		// The global -db before help, as before any command.
		[]string{"-db", db, "help"},
		[]string{"-db", db, "help", "search"},
		[]string{"--db=" + db, "help", "export"},
	)
	for _, args := range cases {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			var out, errs bytes.Buffer
			// Were the shell started, this script would save an entry.
			in := strings.NewReader("A new tip to save\n/react 2\n")
			err := run(context.Background(), args, func(k string) string { return env[k] }, in, &out, &errs)
			if err != nil {
				t.Fatalf("exit with %v; stderr:\n%s", err, errs.String())
			}
			if !strings.Contains(out.String(), "usage:") {
				t.Errorf("no usage on stdout:\n%s", out.String())
			}
			if cmd := args[0]; slices.Contains(commandNames, cmd) && cmd != "help" && !strings.Contains(out.String(), "repertoire "+cmd) && cmd != "run" {
				t.Errorf("usage is not %s's:\n%s", cmd, out.String())
			}
			for _, leak := range []string{"red binder", "vault unseal", "1 entry"} {
				if strings.Contains(out.String()+errs.String(), leak) && !slices.Contains(args, "vault") {
					t.Errorf("printed %q from the store:\n%s%s", leak, out.String(), errs.String())
				}
			}
			if strings.Contains(out.String(), "\"format\"") {
				t.Errorf("export ran:\n%s", out.String())
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("help connected to the platforms %d times", n)
	}
	after := dirSum(t, dir)
	if len(after) != len(before) {
		t.Errorf("files in the database directory changed: %d before, %d after", len(before), len(after))
	}
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("%s changed", name)
		}
	}
}

// TestHelpWithBrokenConfig still answers -h when the environment is wrong.
func TestHelpWithBrokenConfig(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"run", "-h"}, func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "nope"}[k]
	}, strings.NewReader(""), &out, &out)
	if err != nil || !strings.Contains(out.String(), "usage: repertoire [run]") {
		t.Errorf("run -h with a bad token: %v\n%s", err, out.String())
	}
}

func TestArgumentConventions(t *testing.T) {
	db := filepath.Join(t.TempDir(), "args.db")
	runScript(t, db,
		"Roll back a kubernetes deploy with kubectl rollout undo #k8s", "/react 1",
		"Roll back a database migration with the down script #db", "/react 2",
		"Ask for help in #help, someone answers", "/react 3")
	env := func(k string) string { return map[string]string{"REPERTOIRE_DB": db}[k] }
	search := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := run(context.Background(), append([]string{"search"}, args...), env, nil, &out, &errs)
		return out.String(), err
	}
	// A query that starts with -word is the query, quoted or not, with
	// or without "--", flags before or after.
	for _, args := range [][]string{{"-kubernetes roll back"}, {"-kubernetes", "roll back"}, {"--", "-kubernetes", "roll", "back"}, {"-kubernetes", "roll", "back", "-n", "3"}} {
		out, err := search(args...)
		if err != nil {
			t.Errorf("search %q: %v", args, err)
			continue
		}
		if !strings.Contains(out, "migration") || strings.Contains(out, "kubectl") {
			t.Errorf("search %q: want the database entry only:\n%s", args, out)
		}
	}
	out, err := search("--", "help")
	if err != nil || strings.Contains(out, "usage:") || !strings.Contains(out, "someone answers") {
		t.Errorf("search -- help: %v\n%s", err, out)
	}
	if out, err := search("-n", "1", "roll", "back"); err != nil || strings.Count(out, "\n[") > 1 {
		t.Errorf("search -n 1: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"entries", "-x"}, "unknown flag -x; it takes -channel, -db, -n"},
		{[]string{"entries", "stray"}, "entries takes no arguments"},
		{[]string{"entries", "-n"}, "flag -n needs a value"},
		{[]string{"entries", "-n", "many"}, `-n "many"`},
		{[]string{"import"}, "import needs a source"},
		{[]string{"import", "mastodon", "x"}, `unknown import source "mastodon"`},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"search"}, "search needs TEXT"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tc.args, env, nil, &out, &out)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want a usage error saying %q", tc.args, err, tc.want)
		}
	}
	// Flags after the positional arguments.
	var out2 bytes.Buffer
	if err := run(context.Background(), []string{"entries", "-channel", "general", "-n", "1"}, env, nil, &out2, &out2); err != nil || !strings.Contains(out2.String(), "1 entry") {
		t.Errorf("entries -channel general -n 1: %v\n%s", err, out2.String())
	}
}

// The usage says "-db overrides REPERTOIRE_DB": given before the command
// ("repertoire -db FILE entries") it applies to it, as after it, instead
// of starting the bot with the command as an argument.
func TestDBFlagBeforeTheCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "first.db")
	runScript(t, db, "heads up: to restart the VPN gateway run sudo systemctl restart openvpn@server", "/react 1")
	for _, args := range [][]string{{"-db", db, "entries"}, {"-db=" + db, "entries"}, {"--db", db, "search", "vpn gateway"}} {
		out, errs, err := runCmd(t, filepath.Join(t.TempDir(), "other.db"), args...)
		if err != nil || !strings.Contains(out, "restart the VPN gateway") {
			t.Errorf("%q: %v\n%s%s", args, err, out, errs)
		}
	}
}
