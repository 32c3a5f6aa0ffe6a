package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// engineFirst keeps the search engine's order of a question's own threads,
// takes Search's hit of each where it has one, and the thread's text with
// no score where Search did not return it.
func TestEngineFirstKeepsTheEnginesOrder(t *testing.T) {
	own := []string{"c", "a", "b"}
	ownHits := []repertoire.Hit{
		{Entry: repertoire.Entry{SourceID: "a", Question: "qa"}, Score: 4, Coverage: 0.5},
		{Entry: repertoire.Entry{SourceID: "c", Question: "qc"}, Score: 2, Coverage: 0.25},
	}
	text := map[string]repertoire.Entry{
		"a": {SourceID: "a", Question: "qa"}, "b": {SourceID: "b", Question: "qb", Answer: "ab"}, "c": {SourceID: "c", Question: "qc"},
	}
	got := engineFirst(own, ownHits, text)
	var ids []string
	for _, h := range got {
		ids = append(ids, h.SourceID)
	}
	if strings.Join(ids, "") != "cab" {
		t.Fatalf("order %v, want the engine's c a b", ids)
	}
	if got[0].Score != 2 || got[0].Coverage != 0.25 || got[1].Score != 4 {
		t.Errorf("Search's scores not kept: %+v", got)
	}
	if got[2].Score != 0 || got[2].Question != "qb" || got[2].Answer != "ab" {
		t.Errorf("a thread Search did not return: %+v", got[2])
	}
}

// engineFixture is ten SemEval-like questions. Each has five own threads:
// two that hold the question's topic word for word (the relevant one and a
// decoy, equal for Search) and three of chatter. The engine's order puts a
// chatter thread first, the relevant one second and the decoy third:
// neither the engine's order nor the content alone puts the relevant
// thread first, both together do. Search puts the two topical threads
// first, in turn one and the other ahead.
func engineFixture() *cvSet {
	topics := []string{"docker image size", "tls certificate renew", "pods restart crashloop", "npm proxy timeout",
		"helm chart values", "ingress path rewrite", "node memory limit", "kafka consumer lag", "redis key expiry", "git rebase conflict"}
	set := &cvSet{name: "threads", memo: &signalMemo{}, objective: func(s cvScore) float64 { return s.ap }}
	for i, topic := range topics {
		q := &cvQuery{text: "how do I fix " + topic + " today", fold: i % 5, relevant: map[string]bool{"right": true}}
		thread := func(id, question, answer string, score float64) repertoire.Hit {
			return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: question, Answer: answer}, Score: score}
		}
		decoy := thread("decoy", topic, "for "+topic+" set the option", 5)
		right := thread("right", topic, "for "+topic+" set the option", 5)
		var chatter []repertoire.Hit
		for k := range 3 {
			id := fmt.Sprintf("other%d", k)
			chatter = append(chatter, thread(id, "unrelated chatter "+id, "fix it today maybe", float64(3-k)))
		}
		// Search: the two topical threads first (in turn the decoy and
		// the relevant one ahead), then the chatter; the engine: chatter,
		// right, decoy, chatter.
		q.hits = append([]repertoire.Hit{decoy, right}, chatter...)
		if i%2 == 1 {
			q.hits[0], q.hits[1] = right, decoy
		}
		q.ownHits = q.hits
		q.engineHits = []repertoire.Hit{chatter[0], right, decoy, chatter[1], chatter[2]}
		for _, h := range q.engineHits {
			q.own = append(q.own, h.SourceID)
		}
		for _, h := range q.hits {
			q.plain = append(q.plain, h.SourceID)
		}
		set.queries = append(set.queries, q)
	}
	return set
}

// The engine's rank stands where Search's stands among the features, and
// search_score is Search's score over the best of the ten.
func TestEngineSignalsReadTheEnginesRank(t *testing.T) {
	set := engineFixture()
	q := set.queries[0]
	feats := set.memo.engineSignals(q, set.queries, -1, bot.FusionPRF).Features()
	if len(feats) != len(q.engineHits) {
		t.Fatalf("%d feature vectors for %d threads", len(feats), len(q.engineHits))
	}
	rr := slices.Index(bot.RerankFeatureNames, "search_rr")
	for i, f := range feats {
		if want := 1 / float64(i+1); f[rr] != want {
			t.Errorf("thread %d (engine rank %d): search_rr %g, want %g", i, i+1, f[rr], want)
		}
		if want := q.engineHits[i].Score / 5; f[searchScoreFeature] != want {
			t.Errorf("thread %d: search_score %g, want %g (Search's score over the best)", i, f[searchScoreFeature], want)
		}
	}
}

// The engine-first model, trained without the held-out fold, puts the
// relevant thread first on every held-out question (content and the
// engine's rank together), where the engine's order puts it second and
// Search's order, every other time, behind the decoy; the report prints it beside the engine
// and the bot's own ranking, says that it uses the engine's order, and
// pairs it with both.
func TestEngineFirstReadingCombinesTheEnginesOrderWithContent(t *testing.T) {
	set := engineFixture()
	i := slices.IndexFunc(modelVariants, func(v modelVariant) bool { return v.engine })
	if i < 0 {
		t.Fatal("no engine-first variant")
	}
	m, err := trainRerank([]*cvSet{set}, 5, modelVariants[i])
	if err != nil {
		t.Fatal(err)
	}
	held, _ := crossValidateEach(set.queries, 5, learnedGrid(m), func(s cvScore) float64 { return s.subtask }, set.memo, nil)
	engine := fixedScores(set.queries, func(*cvQuery) []string { return nil }, 0)
	for j := range held {
		if held[j].subtask != 1 {
			t.Errorf("question %d: held out, engine-first AP %.2f, want the relevant thread first", j, held[j].subtask)
		}
		if engine[j].subtask != 0.5 {
			t.Fatalf("fixture: the engine's AP %.2f must be 0.5", engine[j].subtask)
		}
	}

	var out bytes.Buffer
	if err := crossValidateSets(&out, set, nil, 5, &jointChoice{}, "", nil); err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{
		"these rows USE the engine's order",
		"learned v2 (CV), engine first",
		"engine-first model (CV) ",
		"learned v2 (CV), own rank",
		"engine-first model (CV): penalty chosen inside the training folds: fold 1: L2",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	for _, base := range []string{"search engine", `learned v2 \(CV\), own rank`} {
		if !regexp.MustCompile(`subtask B MAP +engine-first model \(CV\) +- ` + base + ` +-?[01]\.`).MatchString(report) {
			t.Errorf("no paired line of the engine-first model against %s:\n%s", base, report)
		}
	}
	// Without the engine's order (no subtask B threads) the section and
	// the engine-first model are left out, and the rest still runs.
	for _, q := range set.queries {
		q.engineHits = nil
	}
	out.Reset()
	if err := crossValidateSets(&out, set, nil, 5, &jointChoice{}, "", nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "engine first") || strings.Contains(out.String(), "engine-first model") {
		t.Errorf("read without the engine's order:\n%s", out.String())
	}
}
