package main

import (
	"fmt"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// The learned re-ranker is trained without the held-out fold and puts, in
// it, the candidate that holds the question's words above Search's first,
// which does not: what pairs of other folds taught carries over.
func TestLearnedRerankCarriesOverToTheHeldOutFold(t *testing.T) {
	topics := []string{"docker image size", "tls certificate renew", "pods restart crashloop", "npm proxy timeout",
		"helm chart values", "ingress path rewrite", "node memory limit", "kafka consumer lag", "redis key expiry", "git rebase conflict"}
	set := &cvSet{name: "fixture", memo: &signalMemo{}, objective: func(s cvScore) float64 { return s.ap }}
	for i, topic := range topics {
		q := &cvQuery{text: "how do I fix " + topic + " today", fold: i % 5, relevant: map[string]bool{"right": true}}
		for k := range 4 {
			id := fmt.Sprintf("other%d", k)
			q.hits = append(q.hits, repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: "unrelated chatter " + id, Answer: "fix it today maybe"}, Score: float64(10 - k)})
		}
		q.hits = append(q.hits, repertoire.Hit{Entry: repertoire.Entry{SourceID: "right", Question: topic, Answer: "for " + topic + " set the option"}, Score: 5})
		// Subtask B's own threads: the same five, as a pool of their own
		// (the small-pool variant trains and reads them).
		// The search engine's order of them puts the right one third (the
		// engine-first variant reads them so).
		q.ownHits = q.hits
		q.engineHits = []repertoire.Hit{q.hits[1], q.hits[0], q.hits[4], q.hits[2], q.hits[3]}
		for _, h := range q.engineHits {
			q.own = append(q.own, h.SourceID)
		}
		set.queries = append(set.queries, q)
	}
	sets := []*cvSet{set}
	for _, v := range modelVariants {
		models, err := trainRerank(sets, 5, v)
		if err != nil {
			t.Fatal(err)
		}
		scores, _ := crossValidateEach(set.queries, 5, learnedGrid(models), set.objective, set.memo, nil)
		for i, s := range scores {
			if s.top1 != 1 {
				t.Errorf("%s, question %d: held out, the right entry is not first (AP %.2f)", v.name, i, s.ap)
			}
		}
		if len(models.all) != 1+bot.NumRerankFeatures || len(v.prfs) == 1 && models.allSet.prf != v.prfs[0] {
			t.Errorf("%s: model %d weights, feedback %+v", v.name, len(models.all), models.allSet.prf)
		}
	}
	if search := fixedScores(set.queries, searchOrder, 0); search[0].top1 != 0 {
		t.Fatal("the fixture must put a wrong entry first in Search's order")
	}
	if _, err := fitRerank([]*cvSet{{name: "empty", memo: &signalMemo{}}}, -1, -1, 1, modelVariants[shippedVariant], bot.FusionPRF); err == nil {
		t.Error("training on nothing must fail, not ship a zero model")
	}
}
