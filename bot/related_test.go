package bot

import (
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

func TestRelatedWeighsOnlyKnownWords(t *testing.T) {
	git := repertoire.Hit{Entry: repertoire.Entry{ID: 1, Question: "How do I undo the last git commit?", Answer: "git reset --soft HEAD~1"}}
	db := repertoire.Hit{Entry: repertoire.Entry{ID: 2, Answer: "heads up: the staging database is back"}}
	// "roll" is in no entry; "back" is in many, "commit" in few.
	w := map[string]float64{"back": 0.4, "commit": 1.2}
	q := "how do I roll back a commit?"
	if got := Related(q, []repertoire.Hit{db, git}, DefaultRelated, w); len(got) != 1 || got[0].ID != 1 {
		t.Errorf("related = %+v, want the git entry", got)
	}
	if got := Related(q, []repertoire.Hit{db}, DefaultRelated, w); got != nil {
		t.Errorf("an entry with only the common word: %+v", got)
	}
	if got := Related("undo a git commit", []repertoire.Hit{git}, DefaultRelated, w); got != nil {
		t.Errorf("an entry that passes the gate is an answer, not related: %+v", got)
	}
	// Of "rotate", "stage", "certificate" the repertoire knows only
	// "stage" (from "staged"): the question is about something it does
	// not hold.
	staged := repertoire.Hit{Entry: repertoire.Entry{ID: 3, Question: "How do I undo the last git commit?", Answer: "git reset --soft HEAD~1 keeps them staged"}}
	if got := Related("how do I rotate the staging certificate?", []repertoire.Hit{staged}, DefaultRelated, map[string]float64{"staging": 2}); got != nil {
		t.Errorf("a question the repertoire knows one word in three of: %+v", got)
	}
	if got := Related("commit", []repertoire.Hit{git}, DefaultRelated, w); got != nil {
		t.Errorf("a one-word question has no weaker bar: %+v", got)
	}
}
