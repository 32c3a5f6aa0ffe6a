package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

func testForgetUserLeavesNoText(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	const secret = "xylophonequartz"
	const question = "zebracrossingmarmalade"
	bob := repertoire.Person{ID: "U-bob", Name: "bob"}
	alice := repertoire.Person{ID: "U-alice", Name: "alice"}
	// Bob's answer, saved by alice; alice's answer to bob's question, saved by bob.
	p1 := saveParams("m1", "The trick is "+secret+" mode", alice.ID)
	p1.Author, p1.Saver = bob, alice
	p2 := saveParams("m2", "Alice explains the ferry timetable", bob.ID)
	p2.Author, p2.Saver, p2.QuestionAuthor, p2.Question = alice, bob, bob, "What about "+question+"?"
	for _, p := range []repertoire.SaveParams{p1, p2} {
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, Asker: bob, Text: "open " + secret}); err != nil {
		t.Fatal(err)
	}
	before := readable(t, s)
	if !bytes.Contains(before, []byte(secret)) || !bytes.Contains(before, []byte(question)) {
		t.Fatal("test is blind: the words are not in the files before forgetting")
	}
	f, err := s.ForgetUser(ctx, "shell", bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries != 1 || f.Questions != 1 || f.Saves != 1 || f.OpenQuestions != 1 {
		t.Errorf("forgotten %+v", f)
	}
	for _, w := range []string{secret, question} {
		if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: w, From: general}); len(hits) != 0 {
			t.Errorf("%s still found", w)
		}
		if bytes.Contains(readable(t, s), []byte(w)) {
			t.Errorf("%s still readable", w)
		}
	}
	e, err := s.EntryBySource(ctx, repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m2"})
	if err != nil || e.Answer == "" || e.Question != "" || len(e.Savers) != 0 {
		t.Errorf("alice's answer should stay without bob's question and save: %+v %v", e, err)
	}
}
