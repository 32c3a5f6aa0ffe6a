package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// TestShellPerEntryFeedback: a recall answer lists three entries, numbered,
// each with the commands that press its buttons; "/helped 2" credits the
// second entry only, once per member, and a 👍 on the answer counts for its
// first entry only.
func TestShellPerEntryFeedback(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fb.db")
	out := runScript(t, db,
		"/as ann",
		"Deploy tip: run make deploy from the release branch #deploy",
		"/react 1",
		"Deploy tip: the deploy needs the VPN to reach the cluster #deploy",
		"/react 2",
		"Deploy tip: a failed deploy rolls back with make rollback #deploy",
		"/react 3",
		"/as ben",
		"@repertoire how do I deploy?",
		"/helped 2",
		"/helped 2", // pressed again: once
		"/as cat",
		"/helped 2",
		"/notit 3",
		"/helped 9",  // no such entry: refused
		"/react 5 👍", // the answer's first entry
		"/as dan",
		"/notit 2",
		"/helped 2", // changed their mind: one verdict per member
	)
	answer := out[strings.Index(out, "how do I deploy?"):]
	for _, want := range []string{"\n1. ", "\n2. ", "\n3. ", "→ /helped 2 · /notit 2", "ben pressed /helped 2 on [5]", "no entry 9"} {
		if !strings.Contains(answer, want) {
			t.Fatalf("output lacks %q:\n%s", want, answer)
		}
	}
	title := func(n string) string {
		m := regexp.MustCompile(`\n` + n + `\. (.*)\n`).FindStringSubmatch(answer)
		if m == nil {
			t.Fatalf("no entry %s in\n%s", n, answer)
		}
		return m[1]
	}
	want := map[string][2]int{title("1"): {1, 0}, title("2"): {3, 0}, title("3"): {0, 1}}
	entries, err := openDB(t, db).Entries(context.Background(), repertoire.ListParams{})
	if err != nil || len(entries) != 3 {
		t.Fatalf("entries %v %v", entries, err)
	}
	for _, e := range entries {
		w, ok := want[e.Title()]
		if !ok {
			t.Fatalf("entry %q was not in the answer:\n%s", e.Title(), answer)
		}
		if e.Helpful != w[0] || e.Unhelpful != w[1] {
			t.Errorf("%q: helpful %d, not it %d; want %v", e.Title(), e.Helpful, e.Unhelpful, w)
		}
	}
}
