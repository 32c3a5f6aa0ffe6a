package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// fillRepertoire writes, through the store contract, a repertoire with what
// the JSON format carries: public, private and detected entries, questions
// with authors, savers and voters at their times, tags, permalinks, text in
// several scripts, open questions, and a channel's digest schedule.
func fillRepertoire(t *testing.T, s repertoire.Store) {
	t.Helper()
	ctx := context.Background()
	pub := repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1", Name: "ops"}
	priv := repertoire.Channel{Platform: "slack", Space: "T1", ID: "G1", Name: "sre-private", Private: true}
	dc := repertoire.Channel{Platform: "discord", Space: "900", ID: "901", Name: "général"}
	at := time.Date(2025, 3, 4, 5, 6, 7, 891e6, time.UTC)
	for i, p := range []repertoire.SaveParams{
		{Channel: pub, SourceID: "1700000000.000100", ThreadID: "1700000000.000001", QuestionID: "1700000000.000001",
			Permalink: "https://acme.slack.com/archives/C1/p1700000000000100", Kind: repertoire.Solution,
			Question: "How do I rotate the TLS cert?", QuestionAuthor: repertoire.Person{ID: "U1", Name: "ann"},
			Answer: "certbot renew && systemctl reload nginx", Author: repertoire.Person{ID: "U2", Name: "bob"},
			Tags: []string{"tls", "nginx"}, Saver: repertoire.Person{ID: "U3", Name: "cy"}},
		{Channel: priv, SourceID: "1700000001.000200", Kind: repertoire.Tip, Answer: "The vault unseal keys are in the red binder",
			Author: repertoire.Person{ID: "U4", Name: "dee"}, Saver: repertoire.Person{ID: "U4", Name: "dee"}},
		{Channel: dc, SourceID: "1111", Kind: repertoire.Story, Status: repertoire.Detected, Question: "Qui a cassé la prod ?",
			QuestionAuthor: repertoire.Person{ID: "5", Name: "élodie"}, Answer: "C'était un cron à 3 h — 修正済み 🎉",
			Author: repertoire.Person{ID: "6", Name: "フミ"}},
	} {
		p.At = at.Add(time.Duration(i) * time.Hour)
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Votes on the first entry, at their own times.
	for i, u := range []string{"U5", "U6"} {
		p := repertoire.SaveParams{Channel: pub, SourceID: "1700000000.000100", Kind: repertoire.Solution,
			Answer: "certbot renew && systemctl reload nginx", Author: repertoire.Person{ID: "U2", Name: "bob"},
			Saver: repertoire.Person{ID: u, Name: strings.ToLower(u)}, At: at.Add(time.Duration(i+1) * time.Minute)}
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []repertoire.OpenQuestion{
		{Channel: pub, MessageID: "1700000002.000300", Asker: repertoire.Person{ID: "U7", Name: "eve"}, Text: "Who owns the VPN?", AskedAt: at},
		{Channel: priv, MessageID: "1700000003.000400", Asker: repertoire.Person{ID: "U7", Name: "eve"}, Text: "Where is the runbook?", AskedAt: at.Add(time.Second)},
	} {
		if err := s.AddOpenQuestion(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetDigestSchedule(ctx, repertoire.DigestSchedule{Channel: pub, Spec: "0 9 * * FRI", Zone: "Europe/Berlin", Enabled: true,
		Quiet: repertoire.QuietSkip, UpdatedBy: "U1", UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
}

func openAt(t *testing.T, dsn string) repertoire.Store {
	t.Helper()
	s, err := storeopen.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exportJSON is the JSON export of the store dsn names, as a member gets it
// from "repertoire export -format json".
func exportJSON(t *testing.T, dsn string) string {
	t.Helper()
	out := mustRun(t, dsn, "export", "-format", "json")
	if !strings.Contains(out, `"format": "repertoire"`) {
		t.Fatalf("not an export: %.200s", out)
	}
	return out
}

// migrateThrough copies the store at first into each of the others in turn
// with "repertoire migrate-store", and checks that the last one's JSON
// export is byte-identical to the first's.
func migrateThrough(t *testing.T, first string, others ...string) {
	t.Helper()
	fillRepertoire(t, openAt(t, first))
	want := exportJSON(t, first)
	from := first
	for _, to := range others {
		out := mustRun(t, first, "migrate-store", from, to)
		if !strings.Contains(out, "copied 3 entries, 2 open questions and 1 digest schedules") || !strings.Contains(out, "identical") {
			t.Errorf("migrate-store %s %s said: %s", from, to, out)
		}
		from = to
	}
	if got := exportJSON(t, from); got != want {
		t.Errorf("the export after migrating differs:\n got %s\nwant %s", got, want)
	}
	// The copy works as a store: recall finds the entry, and the schedule came along.
	s := openAt(t, from)
	ctx := context.Background()
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: "rotate tls", From: repertoire.Channel{Platform: "slack", Space: "T1", ID: "C9"}})
	if err != nil || len(hits) != 1 || hits[0].Votes != 3 {
		t.Errorf("recall on the copy: %+v %v", hits, err)
	}
	d, err := s.GetDigestSchedule(ctx, repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1"})
	if err != nil || d.Spec != "0 9 * * FRI" || d.Zone != "Europe/Berlin" || d.Quiet != repertoire.QuietSkip {
		t.Errorf("digest schedule on the copy: %+v %v", d, err)
	}
}

// migrate-store from one SQLite file to another gives a byte-identical JSON
// export, and a second run into the same (no longer empty) store is refused
// without changing it.
func TestMigrateStoreSQLiteToSQLite(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	migrateThrough(t, a, b)
	before := exportJSON(t, b)
	_, _, err := runCmd(t, a, "migrate-store", a, b)
	if err == nil || !strings.Contains(err.Error(), "TO is not empty") {
		t.Errorf("migrating into a full store: %v", err)
	}
	if exportJSON(t, b) != before {
		t.Error("a refused migration changed TO")
	}
	if _, _, err := runCmd(t, a, "migrate-store", a); err == nil {
		t.Error("one argument accepted")
	}
	if _, _, err := runCmd(t, a, "migrate-store", filepath.Join(dir, "missing", "x.db"), filepath.Join(dir, "c.db")); err == nil {
		t.Error("a FROM that cannot be opened accepted")
	}
}

// testPostgres is a PostgreSQL database made for this test (repertoire/postgres/pgtest:
// a throw-away cluster, or the server REPERTOIRE_TEST_POSTGRES names).
func testPostgres(t *testing.T) string {
	t.Helper()
	return pgtest.DB(t) // an empty database; skips, saying why, without PostgreSQL
}

// SQLite → PostgreSQL → SQLite gives a byte-identical JSON export.
func TestMigrateStoreThroughPostgres(t *testing.T) {
	pg := testPostgres(t)
	dir := t.TempDir()
	migrateThrough(t, filepath.Join(dir, "a.db"), pg, filepath.Join(dir, "c.db"))
}
