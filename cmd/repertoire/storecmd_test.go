package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A PostgreSQL URL in REPERTOIRE_DB: commands that need the store fail
// clearly when it cannot be reached, backup and restore point to
// PostgreSQL's tools, and no message prints the password.
func TestPostgresURLCommands(t *testing.T) {
	const dsn = "postgres://bot:s3cret-pw@127.0.0.1:1/repertoire?connect_timeout=2"
	backup := filepath.Join(t.TempDir(), "b.db")
	for _, args := range [][]string{{"search", "vault"}, {"entries"}, {"backup", backup}, {"restore", backup}, {"doctor"}} {
		out, errs, err := runCmd(t, dsn, args...)
		all := out + errs
		if err != nil {
			all += err.Error()
		}
		if strings.Contains(all, "s3cret-pw") {
			t.Errorf("%v printed the password: %s", args, all)
		}
		switch args[0] {
		case "backup", "restore":
			if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "@127.0.0.1:1/repertoire") {
				t.Errorf("%v: %v", args, err)
			}
		case "doctor":
			if !strings.Contains(all, "✗ database: ") {
				t.Errorf("doctor: %s", all)
			}
		default:
			if err == nil {
				t.Errorf("%v: no error", args)
			}
		}
	}
}
