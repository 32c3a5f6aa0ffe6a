package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// TestOpenWritesNothingWhenCurrent: while another process holds the write
// lock (an import's transaction), opening a store whose schema is current
// and searching it work: Open checks its migrations by reading.
func TestOpenWritesNothingWhenCurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("open while another connection writes: %v", err)
	}
	defer s.Close()
	if _, err := s.Search(ctx, repertoire.SearchParams{Text: "tls certificate"}); err != nil {
		t.Fatalf("search while another connection writes: %v", err)
	}
}
