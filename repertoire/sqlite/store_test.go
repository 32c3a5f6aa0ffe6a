package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"
	"github.com/repertoire/repertoire/repertoire/storetest"
)

// MustOpen opens a store on a new SQLite file in the test's temp dir.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestConformance holds the SQLite store to the store contract.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) repertoire.Store { return MustOpen(t) })
}

var general = repertoire.Channel{Platform: "shell", Space: "local", ID: "general", Name: "general"}

func saveParams(src, answer string, saver string) repertoire.SaveParams {
	return repertoire.SaveParams{
		Channel: general, SourceID: src, Kind: repertoire.Tip,
		Question: "How do I rotate the TLS certificate?", QuestionID: "q" + src,
		QuestionAuthor: repertoire.Person{ID: "U1", Name: "asker"},
		Answer:         answer, Author: repertoire.Person{ID: "U2", Name: "answerer"},
		Saver: repertoire.Person{ID: saver, Name: saver},
	}
}
