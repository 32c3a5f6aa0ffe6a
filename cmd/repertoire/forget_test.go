package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A member who saved an entry they did not write and then asked to be
// forgotten leaves no empty credit behind ("saved by , 0 votes").
func TestForgottenSaverLeavesNoEmptyCredit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "forget.db")
	runScript(t, db, "/as bob", "Tip: use git worktree instead of stash for parallel branches",
		"/as carol", "/react 1", "@repertoire forget me", "@repertoire forget me")
	var out bytes.Buffer
	env := func(k string) string { return map[string]string{"REPERTOIRE_DB": db}[k] }
	if err := run(context.Background(), []string{"entries"}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "by bob, 0 votes") || strings.Contains(out.String(), "saved by") {
		t.Errorf("entries after the saver was forgotten:\n%s", out.String())
	}
}
