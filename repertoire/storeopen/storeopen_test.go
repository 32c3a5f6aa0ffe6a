package storeopen_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire/sqlite"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

func TestOpenByConfiguration(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "r.db")
	s, err := storeopen.Open(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*sqlite.Store); !ok {
		t.Errorf("a file path opened %T", s)
	}
	if err := s.CanWrite(ctx); err != nil {
		t.Error(err)
	}
	for _, dsn := range []string{"postgres://bot:s3cret@db.internal/repertoire", "POSTGRESQL://db/r?sslmode=require"} {
		if !storeopen.IsPostgres(dsn) {
			t.Errorf("%s is not PostgreSQL?", dsn)
		}
	}
	for _, dsn := range []string{"./repertoire.db", "/var/lib/repertoire/postgres.db", "file.db", "postgres"} {
		if storeopen.IsPostgres(dsn) {
			t.Errorf("%s taken for PostgreSQL", dsn)
		}
	}
}

func TestRedactHidesPasswords(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://bot:s3cret@db.internal:5432/repertoire?sslmode=require": "postgres://bot:xxxxx@db.internal:5432/repertoire?sslmode=require",
		"postgresql://db/r?user=bot&password=s3cret":                        "postgresql://db/r?password=xxxxx&user=bot",
		"./data/repertoire.db":                                              "./data/repertoire.db",
	} {
		if strings.Contains(dsn, "s3cret") && storeopen.Password(dsn) != "s3cret" {
			t.Errorf("Password(%q) = %q", dsn, storeopen.Password(dsn))
		}
		got := storeopen.Redact(dsn)
		if got != want || strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q, want %q", dsn, got, want)
		}
	}
}

// A server that does not answer is a clear error that does not print the
// password.
func TestPostgresErrorHidesThePassword(t *testing.T) {
	_, err := storeopen.Open(context.Background(), "postgres://bot:s3cret@127.0.0.1:1/r?connect_timeout=2", nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v", err)
	}
}
