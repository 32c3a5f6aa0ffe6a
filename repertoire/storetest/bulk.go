package storetest

import (
	"context"
	"errors"
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
