package bot_test

import (
	"context"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// Saving an entry teaches the repertoire its question's and answer's words;
// an entry saved in a private channel teaches nothing.
func TestSavesTeachAssociations(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	c.add("ops", "1", "", "ann", "Why are the pods in a crashloop after deploy?", false)
	c.add("ops", "2", "1", "ben", "Raise the memory limits, then restart the deployment.", false)
	cmd := c.add("ops", "3", "1", "dan", "@repertoire save", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m1", Message: cmd, Text: "save", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	c.add("secret", "1", "", "ann", "Which vault holds the zorblax password?", true)
	c.add("secret", "2", "1", "ben", "The quuxly vault, second shelf.", true)
	cmd = c.add("secret", "3", "1", "dan", "@repertoire save", true)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m2", Message: cmd, Text: "save", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Associations(ctx, bot.AssocKeys("pods crashloop zorblax", 8), bot.AssocPerKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pairs != 1 || got.Both["crash"]["memor"] != 1 || got.Both["pods"]["resta"] != 1 {
		t.Errorf("the public save was not learned: %+v", got)
	}
	if got.Q["zorbl"] != 0 || len(got.Both["zorbl"]) != 0 {
		t.Errorf("a private save was learned: %+v", got)
	}
}

// Learned associations lift the candidate that answers in the community's
// other words; pairs seen once, and words that go with everything, are
// not associations.
func TestAssociationsLiftTheCommunitysVocabulary(t *testing.T) {
	counts := repertoire.NewAssocCounts()
	learn := func(q, a string, times int) {
		for range times {
			qk, ak := bot.LearnKeys(q, a)
			counts.Add(qk, ak)
		}
	}
	learn("pods stuck in crashloop", "raise the memory limits and restart", 3)
	learn("crashloop again on staging", "memory limits too low, restart it", 2)
	learn("certificate expired on the ingress", "run certbot renew and reload nginx", 3)
	learn("crashloop on the worker", "check the quuxly dashboard", 1) // once: noise
	question := "the api pods keep going into crashloop, what now?"
	a := bot.NewAssoc(counts.For(bot.AssocKeys(question, 32), bot.AssocPerKey))
	if a.Empty() {
		t.Fatal("nothing associated")
	}
	hit := func(id, q, ans string) repertoire.Hit {
		return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: q, Answer: ans}}
	}
	hits := []repertoire.Hit{
		hit("dashboard", "worker health", "check the quuxly dashboard"),
		hit("nginx", "ingress certificate", "run certbot renew and reload nginx"),
		hit("limits", "deployment sizing", "set memory limits per container"),
	}
	w := bot.RerankWeights{Search: 1, Assoc: 2}
	got := bot.RerankWith(question, hits, w, a)
	if got[0].SourceID != "limits" {
		t.Errorf("with associations: %s %s %s", got[0].SourceID, got[1].SourceID, got[2].SourceID)
	}
	if same := bot.RerankWith(question, hits, w, nil); same[0].SourceID != "dashboard" {
		t.Errorf("without associations Search's order must stand: %s first", same[0].SourceID)
	}
}

// A member who says "forget me" takes back what their words taught: the
// pair learned from the entry they answered is no longer counted, and the
// entry another member answered still teaches.
func TestForgetMeTakesBackAssociations(t *testing.T) {
	b, c, s := newBot(t)
	ctx := context.Background()
	c.add("ops", "1", "", "ann", "Why are the pods in a crashloop after deploy?", false)
	c.add("ops", "2", "1", "ben", "Raise the memory limits, then restart the zorblax deployment.", false)
	cmd := c.add("ops", "3", "1", "dan", "@repertoire save", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m1", Message: cmd, Text: "save", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	c.add("ops", "4", "", "ann", "The pods crashloop again?", false)
	c.add("ops", "5", "4", "cat", "Check the memory limits.", false)
	cmd = c.add("ops", "6", "4", "dan", "@repertoire save", false)
	if err := b.Handle(ctx, bot.Mentioned{ID: "m2", Message: cmd, Text: "save", Via: bot.ViaMention}); err != nil {
		t.Fatal(err)
	}
	keys := bot.AssocKeys("pods crashloop", 8)
	got, err := s.Associations(ctx, keys, bot.AssocPerKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pairs != 2 || got.Both["pods"]["memor"] != 2 || got.Both["pods"]["zorbl"] != 1 {
		t.Fatalf("before forgetting: %+v", got)
	}
	for _, id := range []string{"9", "10"} { // asked, then confirmed (each message is answered once)
		forget := c.add("ops", id, "", "ben", "@repertoire forget me", false)
		if err := b.Handle(ctx, bot.Mentioned{ID: "m" + id, Message: forget, Text: "forget me", Via: bot.ViaMention}); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.Associations(ctx, keys, bot.AssocPerKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pairs != 1 || got.Both["pods"]["memor"] != 1 || got.Both["pods"]["zorbl"] != 0 || got.A["zorbl"] != 0 {
		t.Errorf("after ben is forgotten: %+v", got)
	}
}

// Expansion by associations offers the words the community answers with
// and the question lacks, strongest first; nothing without associations.
func TestAssocExpansionOffersTheAnswersWords(t *testing.T) {
	counts := repertoire.NewAssocCounts()
	for range 3 {
		qk, ak := bot.LearnKeys("pods stuck in crashloop", "raise the memory limits and restart")
		counts.Add(qk, ak)
		qk, ak = bot.LearnKeys("certificate expired on the ingress", "run certbot renew and reload nginx")
		counts.Add(qk, ak)
	}
	question := "crashloop again"
	words := bot.AssocExpansion(question, bot.NewAssoc(counts.For(bot.AssocKeys(question, 32), bot.AssocPerKey)), 3)
	if len(words) != 3 {
		t.Fatalf("got %v, want three of the crashloop answer's words", words)
	}
	for _, w := range words {
		switch w {
		case "raise", "memor", "limit", "resta":
		default:
			t.Errorf("%q is not a word crashloop was answered with (%v)", w, words)
		}
	}
	if got := bot.AssocExpansion(question, nil, 3); got != nil {
		t.Errorf("no associations expanded to %v", got)
	}
}
