package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// skipsChecks reports whether a search for p would admit entries without
// asking the entries table (searchvis.go), read as Search reads it, and
// checks the answer against the entries: it may be true only when no
// entry fails p's filters, and must be when the query has no filter and
// no entry lies outside the asker's visibility.
func skipsChecks(t *testing.T, s *Store, p repertoire.SearchParams) bool {
	t.Helper()
	ctx := context.Background()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	sr := &searcher{tx: tx, cache: s.stmts, q: repertoire.ParseQuery(p.Text), from: p.From, spaces: p.Spaces, audience: p.Audience, limit: 10, shortList: s.shortList}
	sr.buildFilters()
	if _, _, err := sr.lookupStems(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var hidden int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries e WHERE NOT (`+sr.filterSQL+`)`, sr.filterArgs...).Scan(&hidden); err != nil {
		t.Fatal(err)
	}
	if sr.allVisible && hidden > 0 {
		t.Errorf("%+v: checks skipped, yet %d entries fail the filters", p, hidden)
	}
	if !sr.allVisible && hidden == 0 && sr.filterSQL == sr.visibilitySQL {
		t.Errorf("%+v: every entry is visible, yet the checks run", p)
	}
	return sr.allVisible
}

// TestSearchSkipsChecksOnlyWhenAllVisible: a search admits the entries it
// scores unchecked only while every entry is visible to the asker, and a
// private entry is never shown outside its channel: saved private,
// made private around the store (the scopes' update trigger), in another
// space or platform; deleted around the store, its postings outliving
// it, it is not shown either (the search runs again with the checks).
func TestSearchSkipsChecksOnlyWhenAllVisible(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "vis.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ops := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	dev := repertoire.Channel{Platform: "p", Space: "s", ID: "c2", Name: "dev"}
	secret := repertoire.Channel{Platform: "p", Space: "s", ID: "c3", Name: "secret", Private: true}
	other := repertoire.Channel{Platform: "p", Space: "t", ID: "c4", Name: "other"}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	save := func(ch repertoire.Channel, answer string) int64 {
		t.Helper()
		n++
		e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", n), Kind: repertoire.Tip,
			Question: "how do we rotate the zebra keys?", Answer: answer,
			Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}, At: at.Add(time.Duration(n) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	// shown runs the search, checks it against the exhaustive ranking
	// and reports whether the entry is among the hits.
	shown := func(from repertoire.Channel, spaces []string, id int64) bool {
		t.Helper()
		p := repertoire.SearchParams{Text: "zebra keys", From: from, Spaces: spaces, Limit: 10}
		checkExhaustive(t, s, p, fmt.Sprintf("from %s %v", from.ID, spaces))
		hits, err := s.Search(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.ID == id {
				return true
			}
		}
		return false
	}
	skips := func(from repertoire.Channel, spaces []string, text string) bool {
		t.Helper()
		return skipsChecks(t, s, repertoire.SearchParams{Text: text, From: from, Spaces: spaces})
	}
	for i := range 12 {
		save([]repertoire.Channel{ops, dev}[i%2], fmt.Sprintf("zebra keys rotate with the vault tool, step %d", i))
	}
	if !skips(ops, nil, "zebra") || !skips(repertoire.Channel{}, nil, "zebra") {
		t.Error("every entry is public in the asker's space, yet the checks run")
	}
	if skips(ops, nil, "zebra in:#dev") || skips(ops, nil, "zebra kind:solution") {
		t.Error("a query with filters skipped the checks")
	}

	// A private entry, the best answer: shown in its channel only.
	hush := save(secret, "zebra keys zebra keys: the private runbook holds the zebra keys")
	if skips(ops, nil, "zebra") || skips(repertoire.Channel{}, nil, "zebra") || !skips(secret, nil, "zebra") {
		t.Error("with a private entry: the checks are skipped where it is hidden, or run where every entry is seen")
	}
	// The web's audiences: a visitor sees no private entry, a member of
	// the private channel sees every entry.
	visitor := &repertoire.Audience{Anyone: true}
	member := &repertoire.Audience{Platform: "p", Spaces: []string{"s"}, Channels: []repertoire.Channel{secret}}
	outsider := &repertoire.Audience{Platform: "p", Spaces: []string{"s"}}
	for _, a := range []*repertoire.Audience{visitor, member, outsider} {
		p := repertoire.SearchParams{Text: "zebra keys", Audience: a, Limit: 10}
		if got, want := skipsChecks(t, s, p), a == member; got != want {
			t.Errorf("audience %+v: checks skipped %v, want %v", *a, got, want)
		}
		checkExhaustive(t, s, p, fmt.Sprintf("audience %+v", *a))
	}
	if shown(ops, nil, hush) || shown(dev, nil, hush) || shown(repertoire.Channel{}, nil, hush) {
		t.Error("the private entry was shown outside its channel")
	}
	if !shown(secret, nil, hush) {
		t.Error("the private entry was not shown in its own channel")
	}
	// Forgotten: the checks are skipped again.
	if _, err := s.DeleteSource(ctx, "", repertoire.Source{Platform: "p", Space: "s", Channel: "c3", Message: fmt.Sprint("m", n)}); err != nil {
		t.Fatal(err)
	}
	if !skips(ops, nil, "zebra") {
		t.Error("the private entry is gone, yet the checks run")
	}

	// A public entry made private around the store (direct SQL): its
	// scope moves with it.
	moved := save(dev, "zebra keys zebra keys zebra: ask in #dev for the zebra keys")
	if _, err := s.w.ExecContext(ctx, `UPDATE entries SET private = 1 WHERE id = ?`, moved); err != nil {
		t.Fatal(err)
	}
	if skips(ops, nil, "zebra") || !skips(dev, nil, "zebra") {
		t.Error("an entry made private: the checks are skipped where it is hidden, or run in its channel")
	}
	if shown(ops, nil, moved) || !shown(dev, nil, moved) {
		t.Error("an entry made private is shown outside its channel, or not in it")
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE entries SET private = 0 WHERE id = ?`, moved); err != nil {
		t.Fatal(err)
	}

	// Another space's public entry: seen with that space only.
	far := save(other, "zebra keys zebra keys zebra keys zebra keys, in the other space")
	if skips(ops, nil, "zebra") || !skips(ops, []string{"t"}, "zebra") {
		t.Error("an entry in another space: the checks are skipped where it is hidden, or run where it is seen")
	}
	if shown(ops, nil, far) || !shown(ops, []string{"t"}, far) {
		t.Error("another space's entry is shown without its space, or not with it")
	}

	// Deleted around the store: its postings stay until the next fold,
	// and the search, skipping checks, finds a hit without a row.
	if _, err := s.w.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, far); err != nil {
		t.Fatal(err)
	}
	if !skips(ops, []string{"t"}, "zebra") {
		t.Error("every entry is visible with space t, yet the checks run")
	}
	if shown(ops, []string{"t"}, far) {
		t.Error("an entry deleted around the store was shown")
	}
}
