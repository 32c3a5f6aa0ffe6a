package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// userTexts are things members type that a search engine (FTS5,
// tsquery) would read as syntax.
var userTexts = []string{
	``, `   `, `"`, `""`, `"unbalanced`, `*`, `cert*`, `*cert`, `NEAR`, `NEAR(a b)`, `NEAR(a b, 2`, `a AND b`,
	`a OR`, `NOT`, `NOT a`, `AND OR NOT`, `question:rotate`, `answer:`, `{question answer}: x`, `^rotate`,
	`(rotate`, `rotate)`, `((()))`, `-rotate`, `+`, `a:b:c`, `'; DROP TABLE entries; --`, "\x00", "\xff\xfe",
	"rot\xc3ate", `\`, `%_`, `rowid:1`, `entries_fts`, `tls!!!???`, strings.Repeat("cert ", 2000),
	strings.Repeat("x", 10000), strings.Repeat("é", 5000),
}

func testSearchNeverErrorsOnUserText(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, _, err := s.Save(ctx, saveParams("m1", "Run certbot renew, then reload nginx.", "U3")); err != nil {
		t.Fatal(err)
	}
	for _, text := range userTexts {
		if _, err := s.Search(ctx, repertoire.SearchParams{Text: text, From: general}); err != nil {
			t.Errorf("Search(%q): %v", text, err)
		}
	}
}

func testPrivateEntriesStayInTheirChannel(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	secret := repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Private: true}
	dm := repertoire.Channel{Platform: "shell", Space: "local", ID: "dm-bob", Private: true}
	for _, c := range []repertoire.Channel{secret, dm} {
		p := saveParams("m-"+c.ID, "The vault token lives in the safe", "U3")
		p.Channel = c
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	other := repertoire.Channel{Platform: "slack", Space: "local", ID: "secret"} // same ID, other platform
	for _, from := range []repertoire.Channel{general, other, {Platform: "shell", Space: "other", ID: "secret"}} {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: "vault token", From: from, Limit: 10})
		if err != nil || len(hits) != 0 {
			t.Errorf("from %+v: %d hits, err %v; want none", from, len(hits), err)
		}
	}
	for _, from := range []repertoire.Channel{secret, dm} {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: "vault token", From: from, Limit: 10})
		if err != nil || len(hits) != 1 || hits[0].Channel.ID != from.ID {
			t.Errorf("from %s: %v, err %v; want its own entry only", from.ID, hits, err)
		}
	}
}

func testEditAndDeleteSource(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, _, err := s.Save(ctx, saveParams("m1", "Use certbot renew.", "U3")); err != nil {
		t.Fatal(err)
	}
	answer := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m1"}
	question := answer
	question.Message = "qm1"
	if n, err := s.EditSource(ctx, "", answer, "Use acme.sh --renew instead.", time.Time{}); err != nil || n != 1 {
		t.Fatalf("edit answer: %d %v", n, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "certbot", From: general}); len(hits) != 0 {
		t.Errorf("old text still found after edit")
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "acme", From: general}); len(hits) != 1 {
		t.Errorf("new text not found after edit")
	}
	if n, err := s.EditSource(ctx, "", question, "How do we renew the wildcard cert?", time.Time{}); err != nil || n != 1 {
		t.Fatalf("edit question: %d %v", n, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "wildcard", From: general}); len(hits) != 1 {
		t.Errorf("edited question not found")
	}
	if n, err := s.DeleteSource(ctx, "", question); err != nil || n != 1 {
		t.Fatalf("delete question: %d %v", n, err)
	}
	e, err := s.EntryBySource(ctx, answer)
	if err != nil || e.Question != "" || e.Answer == "" {
		t.Fatalf("after question deleted: %+v %v", e, err)
	}
	if n, err := s.DeleteSource(ctx, "", answer); err != nil || n != 1 {
		t.Fatalf("delete answer: %d %v", n, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "acme", From: general}); len(hits) != 0 {
		t.Errorf("deleted entry still found")
	}
}

// testWithdrawSource: a question taken back by an edit leaves the entry
// but stays linked to it, so the edit that restores it restores it there
// (and search finds it again); an answer taken back deletes the entry.
func testWithdrawSource(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, _, err := s.Save(ctx, saveParams("m1", "Use certbot renew.", "U3")); err != nil {
		t.Fatal(err)
	}
	answer := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m1"}
	question := answer
	question.Message = "qm1"
	if n, err := s.EditSource(ctx, "", question, "How do we renew the wildcard cert?", time.Time{}); err != nil || n != 1 {
		t.Fatalf("edit question: %d %v", n, err)
	}
	if n, err := s.WithdrawSource(ctx, "", question); err != nil || n != 1 {
		t.Fatalf("withdraw question: %d %v", n, err)
	}
	if e, err := s.EntryBySource(ctx, answer); err != nil || e.Question != "" || e.QuestionID != "qm1" || e.Answer == "" {
		t.Fatalf("after question withdrawn: %+v %v", e, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "wildcard", From: general}); len(hits) != 0 {
		t.Errorf("withdrawn question still found")
	}
	if n, err := s.EditSource(ctx, "", question, "How do we renew the wildcard cert?", time.Time{}); err != nil || n != 1 {
		t.Fatalf("restore question: %d %v", n, err)
	}
	if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: "wildcard", From: general}); len(hits) != 1 {
		t.Errorf("restored question not found")
	}
	if n, err := s.WithdrawSource(ctx, "", answer); err != nil || n != 1 {
		t.Fatalf("withdraw answer: %d %v", n, err)
	}
	if _, err := s.EntryBySource(ctx, answer); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("entry after its answer was withdrawn: %v", err)
	}
}

// UserTexts are things members type that a search engine would read as
// syntax, and misuses of the query syntax: seeds for a store's fuzz test
// of Search.
func UserTexts() []string { return append(append([]string(nil), userTexts...), syntaxMisuse...) }
