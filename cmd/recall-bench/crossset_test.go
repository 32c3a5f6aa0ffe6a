package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// crossFixture is a set of ten questions of one kind: threads (each entry
// with a question of its own, as SemEval saves them) or dialogs (the
// answer only, as LiveChat's). In each, Search puts first entries of
// chatter that share the question's common words, and the entry that
// holds its topic fifth.
func crossFixture(name string, threads bool) *cvSet {
	topics := []string{"docker image size", "tls certificate renew", "pods restart crashloop", "npm proxy timeout",
		"helm chart values", "ingress path rewrite", "node memory limit", "kafka consumer lag", "redis key expiry", "git rebase conflict"}
	set := &cvSet{name: name, memo: &signalMemo{}, objective: func(s cvScore) float64 { return s.ap }}
	for i, topic := range topics {
		q := &cvQuery{text: "how do I fix " + topic + " today", fold: i % 5, relevant: map[string]bool{"right": true}}
		for k := range 4 {
			id := fmt.Sprintf("other%d", k)
			e := repertoire.Entry{SourceID: id, Answer: "fix it today maybe, chatter " + id}
			if threads {
				e.Question = "unrelated chatter " + id
			}
			q.hits = append(q.hits, repertoire.Hit{Entry: e, Score: float64(10 - k)})
			q.plain = append(q.plain, id)
		}
		e := repertoire.Entry{SourceID: "right", Answer: "for " + topic + " set the option"}
		if threads {
			e.Question = topic
			for _, h := range q.hits {
				q.own = append(q.own, h.SourceID)
			}
			q.own = append(q.own, "right")
		}
		q.hits = append(q.hits, repertoire.Hit{Entry: e, Score: 5})
		q.plain = append(q.plain, "right")
		if threads {
			q.engineHits = q.hits // the engine's order is Search's here
		}
		set.queries = append(set.queries, q)
	}
	return set
}

// A model trained on threads alone puts the right dialog first on every
// dialog question, and one trained on dialogs alone the right thread
// first, where bm25 and Search put it fifth; the check prints both
// directions beside bm25 (and the engine for threads) with paired
// intervals.
func TestCrossSetCheckTrainsOnOneSetAndScoresTheOther(t *testing.T) {
	threads, dialogs := crossFixture("threads", true), crossFixture("dialogs", false)
	for _, dir := range []struct{ train, test *cvSet }{{threads, dialogs}, {dialogs, threads}} {
		scores, _, err := crossSetScores(dir.train, dir.test, 5, modelVariants[shippedVariant])
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range scores {
			if s.top1 != 1 {
				t.Errorf("trained on %s, %s question %d: the right entry is not first (AP %.2f)", dir.train.name, dir.test.name, i, s.ap)
			}
		}
	}
	var out bytes.Buffer
	if err := crossSetCheck(&out, threads, dialogs, 5); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"trained on threads (10 questions), scored on dialogs (10 questions)",
		"trained on dialogs (10 questions), scored on threads (10 questions)",
		"learned v2, L2", "v2, pool-free, L2", "plain bm25", "search engine",
		"top-3", "pool MAP@50", "subtask B MAP", "the bot's own ranking", "paired differences",
		", engine first", // v2 trained on dialogs, the engine's order as its first stage
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the check's output lacks %q:\n%s", want, out.String())
		}
	}
	if err := crossSetCheck(&out, threads, nil, 5); err != nil {
		t.Errorf("one set: %v", err)
	}
}
