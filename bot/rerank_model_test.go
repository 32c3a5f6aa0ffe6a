package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// The learned order reads what fusion cannot: with a model that weighs
// only "the question's word pairs held near each other", the entry that
// says "multi stage build" rises above Search's first, which holds the
// same words scattered. Without a model (Learned 0, or a model of the
// wrong size) the order is fusion's, as recall ships.
func TestLearnedRerankWeighsItsFeatures(t *testing.T) {
	hit := func(id, q, a string) repertoire.Hit {
		return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: q, Answer: a}}
	}
	hits := []repertoire.Hit{
		hit("scattered", "docker image", "the stage was set; a multi tenant cluster; build logs from the image"),
		hit("near", "docker image", "use a multi stage build so the image keeps only the binary"),
		hit("other", "kafka lag", "consumers fall behind"),
	}
	q := "docker image too big without a multi stage build"
	model := make([]float64, bot.NumRerankFeatures+1)
	model[1+slices.Index(bot.RerankFeatureNames, "pairs")] = 1
	got := bot.RerankWith(q, hits, bot.RerankWeights{Learned: 1, Model: model}, nil)
	if got[0].SourceID != "near" || got[2].SourceID != "other" {
		t.Errorf("learned order %s %s %s", got[0].SourceID, got[1].SourceID, got[2].SourceID)
	}
	fusion := bot.RerankWith(q, hits, bot.RerankWeights{Search: 1}, nil)
	for _, w := range []bot.RerankWeights{{Search: 1, Learned: 0, Model: model}, {Search: 1, Learned: 1, Model: model[:3]}} {
		same := bot.RerankWith(q, hits, w, nil)
		for i := range same {
			if same[i].SourceID != fusion[i].SourceID {
				t.Errorf("%+v: order changed at %d", w, i)
			}
		}
	}
	feats := bot.Signals(q, hits, nil).Features()
	if len(feats) != len(hits) || len(feats[0]) != bot.NumRerankFeatures || len(bot.RerankFeatureNames) != bot.NumRerankFeatures {
		t.Fatalf("features %d×%d, names %d", len(feats), len(feats[0]), len(bot.RerankFeatureNames))
	}
	if feats[1][slices.Index(bot.RerankFeatureNames, "search_rr")] != 0.5 {
		t.Errorf("features of the second hit %v", feats[1])
	}
}

// Recall ships the learned model: DefaultRerank orders by it alone, with a
// model of the right size, and on small fixtures of both kinds of entry
// (saved from a thread, with a question of its own; saved from a dialog,
// its whole text only) it puts first the entry that answers the question
// where Search had put first one that only shares a word with it.
func TestRecallShipsTheLearnedModel(t *testing.T) {
	w := bot.DefaultRerank
	if w.Learned <= 0 || len(w.Model) != bot.NumRerankFeatures+1 || w.Search != 0 || w.Question != 0 || w.Feedback != 0 {
		t.Fatalf("DefaultRerank %+v: want the learned model alone", w)
	}
	nonzero := 0
	for _, x := range w.Model {
		if x != 0 {
			nonzero++
		}
	}
	if nonzero < bot.NumRerankFeatures/2 {
		t.Fatalf("the shipped model has %d weights set: not trained", nonzero)
	}
	hit := func(id, q, a string, score float64) repertoire.Hit {
		return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: q, Answer: a}, Score: score, Coverage: 0.5}
	}
	q := "how do I renew the expired tls certificate on the ingress?"
	for name, hits := range map[string][]repertoire.Hit{
		"threads": {
			hit("chatter", "anyone around today?", "the ingress team is at lunch, ask later about anything", 10),
			hit("renew", "renew expired tls certificate on ingress", "run certbot renew for the ingress certificate, then reload the ingress controller", 9),
			hit("other", "kafka consumer lag", "consumers fall behind when partitions grow", 8),
		},
		"dialogs": {
			hit("chatter", "", "the ingress team is at lunch, ask later about anything", 10),
			hit("renew", "", "renew the expired tls certificate with certbot renew, then the ingress picks up the new certificate", 9),
			hit("other", "", "consumers fall behind when partitions grow", 8),
		},
	} {
		got := bot.Rerank(q, hits)
		if got[0].SourceID != "renew" || len(got) != len(hits) {
			t.Errorf("%s: order %s %s %s", name, got[0].SourceID, got[1].SourceID, got[2].SourceID)
		}
	}
}

// What the learned model that ships costs, re-ranking Search's top 50
// (answers of a few hundred words in lines of 15), beside fusion alone.
func BenchmarkRerankLearned(b *testing.B) {
	words := strings.Fields("deploy build cache docker node npm proxy certificate rotate cluster pods restart " +
		"crashloop memory limit kubernetes helm chart values secret token expire renew ingress tls log")
	var hits []repertoire.Hit
	for i := range bot.RerankPool {
		var q, a []string
		for k := range 12 {
			q = append(q, words[(i*7+k*3)%len(words)])
		}
		for k := range 300 {
			w := words[(i*11+k*5)%len(words)]
			if k%15 == 14 {
				w += "\n" // a reply or comment per line, as saved answers hold them
			}
			a = append(a, w)
		}
		hits = append(hits, repertoire.Hit{Entry: repertoire.Entry{SourceID: fmt.Sprint(i), Question: strings.Join(q, " "), Answer: strings.Join(a, " ")}})
	}
	question := "why do my pods restart in a crashloop after the helm chart upgrade, memory limit too low?"
	for _, c := range []struct {
		name string
		w    bot.RerankWeights
	}{{"fusion", bot.FusionRerank}, {"learned", bot.DefaultRerank}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				bot.RerankWith(question, hits, c.w, nil)
			}
		})
	}
}

// The second model's features read the answer line by line and the
// title: with a model that weighs only cos_best_line, the dialog whose one
// reply answers the question rises above the one whose lines each hold a
// word of it among chatter (the same words, so every whole-text measure
// ties them); with one that weighs only cos_title, the thread whose subject
// is the question rises above the one that holds its words in the body.
func TestLearnedRerankReadsLinesAndTitles(t *testing.T) {
	hit := func(id, q, a string) repertoire.Hit {
		return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: q, Answer: a}}
	}
	only := func(name string) bot.RerankWeights {
		model := make([]float64, bot.NumRerankFeatures+1)
		model[1+slices.Index(bot.RerankFeatureNames, name)] = 1
		return bot.RerankWeights{Learned: 1, Model: model}
	}
	q := "renew expired tls certificate"
	lines := []repertoire.Hit{
		hit("scattered", "", "renew your coffee\nexpired milk again\ntls is a protocol\ncertificate of attendance"),
		hit("answer", "", "good morning\nrenew the expired tls certificate with certbot\nthanks"),
	}
	if got := bot.RerankWith(q, lines, only("cos_best_line"), nil); got[0].SourceID != "answer" {
		t.Errorf("best line: %s first", got[0].SourceID)
	}
	titles := []repertoire.Hit{
		hit("body", "ingress question\nhow to renew an expired tls certificate", "certbot"),
		hit("subject", "renew expired tls certificate\non the ingress, how to", "certbot"),
	}
	if got := bot.RerankWith(q, titles, only("cos_title"), nil); got[0].SourceID != "subject" {
		t.Errorf("title: %s first", got[0].SourceID)
	}
	feats := bot.Signals(q, append(lines, hit("dialog", "", "renew")), nil).Features()
	if f := feats[2][slices.Index(bot.RerankFeatureNames, "cos_title")]; f != 0 {
		t.Errorf("an entry without a question has title cosine %v", f)
	}
}
