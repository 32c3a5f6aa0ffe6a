package main

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// A question is scored with associations learned from the other folds
// only, and a training question with associations that saw neither its own
// fold nor the held-out one.
func TestCrossValidationNeverLearnsFromTheScoredFold(t *testing.T) {
	var queries []*cvQuery
	for i, pair := range [][2]string{
		{"zeroword question", "zeroanswer text"},
		{"oneword question", "oneanswer text"},
		{"twoword question", "twoanswer text"},
	} {
		queries = append(queries, &cvQuery{text: pair[0], fold: i, teaches: [][2]string{pair},
			hits: []repertoire.Hit{{Entry: repertoire.Entry{SourceID: "a"}}, {Entry: repertoire.Entry{SourceID: "b"}}}})
	}
	memo := &signalMemo{}
	memo.get(queries[0], queries, 0) // held out: fold 0 scored
	memo.get(queries[1], queries, 0) // training question of fold 1 while fold 0 is held out
	if c := memo.counts[[2]int{0, 0}]; c == nil || c.Q["zerow"] != 0 || c.Q["onewo"] != 1 || c.Q["twowo"] != 1 {
		t.Errorf("scoring fold 0 learned %+v", c)
	}
	if c := memo.counts[[2]int{0, 1}]; c == nil || c.Q["zerow"] != 0 || c.Q["onewo"] != 0 || c.Q["twowo"] != 1 {
		t.Errorf("choosing on fold 1 learned %+v", c)
	}
}

// Subtask B combines the search engine's order with ours: equal weights
// break our ties by the engine's order; weight 0 keeps ours.
func TestFuseWithEngine(t *testing.T) {
	engine := []string{"a", "b", "c", "d"}
	ours := []string{"d", "c", "b", "a"}
	if got := strings.Join(fuseWithEngine(engine, ours, 0), ""); got != "dcba" {
		t.Errorf("weight 0: %s", got)
	}
	if got := strings.Join(fuseWithEngine(engine, []string{"b", "a", "c", "d"}, 1), ""); got != "abcd" && got != "bacd" {
		t.Errorf("equal weights: %s", got)
	}
	if got := strings.Join(fuseWithEngine(engine, ours, 4), ""); got != "abcd" {
		t.Errorf("engine-heavy: %s", got)
	}
}
