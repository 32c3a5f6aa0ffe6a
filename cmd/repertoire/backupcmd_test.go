package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestoreCommands: back up a live database, restore it over a
// changed one (refused while the store is open), and find the entry back.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	runScript(t, db, "Tip: restart the worker with systemctl restart worker #ops", "/react 1")
	env := func(k string) string { return map[string]string{"REPERTOIRE_DB": db}[k] }
	backup := filepath.Join(dir, "backup.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", backup}, env, nil, &out, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 entry") || !strings.Contains(out.String(), "integrity ok") {
		t.Errorf("backup said:\n%s", out.String())
	}
	runScript(t, db, "@repertoire forget me")
	open := openDB(t, db) // the bot, still running
	out.Reset()
	err := run(context.Background(), []string{"restore", backup}, env, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "stop the bot first") {
		t.Fatalf("restore with the store open: %v", err)
	}
	open.Close()
	out.Reset()
	if err := run(context.Background(), []string{"restore", backup}, env, nil, &out, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "kept as") {
		t.Errorf("restore said:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"search", "restart", "worker"}, env, nil, &out, &out); err != nil || !strings.Contains(out.String(), "systemctl") {
		t.Errorf("the restored entry is not found: %v\n%s", err, out.String())
	}
	for _, args := range [][]string{{"backup"}, {"backup", backup}, {"restore"}, {"restore", filepath.Join(dir, "nope.db")}} {
		if err := run(context.Background(), args, env, nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
}
