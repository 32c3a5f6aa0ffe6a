package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func record(src string, at time.Time, savers ...string) repertoire.Record {
	r := repertoire.Record{Channel: general, SourceID: src, Kind: repertoire.Tip, Answer: "Run certbot renew #tls",
		Author: repertoire.Person{ID: "U2", Name: "answerer"}, Tags: []string{"tls"}, CreatedAt: at}
	for _, s := range savers {
		r.Savers = append(r.Savers, repertoire.Endorsement{Person: repertoire.Person{ID: s, Name: s}, At: at})
	}
	return r
}

func testImportBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	// A live save of m1 exists: imported savers of it become votes.
	if _, _, err := s.Save(ctx, saveParams("m1", "Run certbot renew #tls", "U3")); err != nil {
		t.Fatal(err)
	}
	b := repertoire.Batch{Import: "imp", Unit: "f1", Records: []repertoire.Record{record("m1", at, "U3", "U4"), record("m2", at, "U5")}}
	res, err := s.ImportBatch(ctx, b)
	if err != nil || res.Created != 1 || res.Updated != 1 {
		t.Fatalf("first batch: %+v %v", res, err)
	}
	e, _ := s.EntryBySource(ctx, repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m1"})
	if e.Question != "How do I rotate the TLS certificate?" || e.QuestionAuthor.Name != "asker" || !e.CreatedAt.Equal(at) {
		t.Errorf("merged entry lost its question or creation time: %+v", e)
	}
	if len(e.Savers) != 1 || e.Savers[0].ID != "U3" || e.Votes != 2 {
		t.Errorf("merged entry: savers %+v votes %d; want U3 saving and U4 voting", e.Savers, e.Votes)
	}
	if _, err := s.ImportBatch(ctx, b); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Errorf("same unit twice: %v", err)
	}
	b.Unit = "f1-again"
	if res, err := s.ImportBatch(ctx, b); err != nil || res.Unchanged != 2 {
		t.Errorf("same records under another unit: %+v %v; want both unchanged", res, err)
	}
	done, err := s.FinishedUnits(ctx, "imp")
	if err != nil || !done["f1"] || !done["f1-again"] || len(done) != 2 {
		t.Errorf("finished units %v %v", done, err)
	}
	// One invalid record refuses the whole batch.
	bad := record("m4", at)
	bad.Kind = "rumour"
	_, err = s.ImportBatch(ctx, repertoire.Batch{Import: "imp", Unit: "f2", Records: []repertoire.Record{record("m3", at, "U5"), bad}})
	if !errors.Is(err, repertoire.ErrInvalid) {
		t.Fatalf("invalid batch: %v", err)
	}
	if _, err := s.EntryBySource(ctx, repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m3"}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("half of a refused batch was written: %v", err)
	}
	if done, _ := s.FinishedUnits(ctx, "imp"); done["f2"] {
		t.Error("a refused batch was recorded as finished")
	}
}

// testExportImportRoundTrip: what one store exports, another imports whole:
// its export is then the same, entry for entry, open question for open
// question; a filtered export holds only what it selects.
func testExportImportRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	a, b := open(t), open(t)
	priv := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	at := time.Date(2025, 7, 1, 12, 30, 0, 123e6, time.UTC)
	p := saveParams("m1", "Run certbot renew, then reload nginx. #tls", "U3")
	p.At, p.Tags, p.Permalink, p.ThreadID = at, []string{"tls", "ops"}, "https://example.com/m1", "t1"
	if _, _, err := a.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Saver, p.At = repertoire.Person{ID: "U4", Name: "dan"}, at.Add(time.Minute)
	if _, _, err := a.Save(ctx, p); err != nil { // a vote
		t.Fatal(err)
	}
	q := saveParams("m2", "Ask #it for a token.", "U5")
	q.Channel, q.Kind, q.At, q.Status = priv, repertoire.Solution, at.Add(time.Hour), repertoire.Detected
	q.Saver = repertoire.Person{}
	if _, _, err := a.Save(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := a.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, MessageID: "oq1", Asker: repertoire.Person{ID: "U9", Name: "zoe"},
		Text: "Where is the runbook?", AskedAt: at}); err != nil {
		t.Fatal(err)
	}
	export := func(s repertoire.Store, p repertoire.ExportParams) ([]repertoire.Record, []repertoire.OpenQuestion) {
		var rs []repertoire.Record
		var qs []repertoire.OpenQuestion
		if err := s.Export(ctx, p, func(r repertoire.Record) error { rs = append(rs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.ExportOpenQuestions(ctx, p, func(q repertoire.OpenQuestion) error { q.ID = 0; qs = append(qs, q); return nil }); err != nil {
			t.Fatal(err)
		}
		return rs, qs
	}
	all := repertoire.ExportParams{Private: true}
	rs, qs := export(a, all)
	if len(rs) != 2 || len(qs) != 1 {
		t.Fatalf("export: %d records %d questions", len(rs), len(qs))
	}
	if r := rs[0]; len(r.Savers) != 1 || len(r.Voters) != 1 || r.Voters[0].ID != "U4" || !r.CreatedAt.Equal(at) {
		t.Errorf("first record %+v", r)
	}
	if pub, _ := export(a, repertoire.ExportParams{}); len(pub) != 1 || pub[0].SourceID != "m1" {
		t.Errorf("an export without Private holds %+v", pub)
	}
	if _, err := b.ImportBatch(ctx, repertoire.Batch{Import: "copy", Unit: "all", Records: rs, OpenQuestions: qs}); err != nil {
		t.Fatal(err)
	}
	rs2, qs2 := export(b, all)
	if got, want := fmt.Sprintf("%+v", utc(rs2, qs2)), fmt.Sprintf("%+v", utc(rs, qs)); got != want {
		t.Errorf("round trip differs:\n got %s\nwant %s", got, want)
	}
}

// utc is records and questions with every time in UTC, to compare them as
// text: stores may return times in any zone.
func utc(rs []repertoire.Record, qs []repertoire.OpenQuestion) []any {
	var out []any
	for _, r := range rs {
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		for _, l := range [][]repertoire.Endorsement{r.Savers, r.Voters} {
			for i := range l {
				l[i].At = l[i].At.UTC()
			}
		}
		out = append(out, r)
	}
	for _, q := range qs {
		q.AskedAt = q.AskedAt.UTC()
		out = append(out, q)
	}
	return out
}
