package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// The store counts learned pairs exactly as the in-memory counts an
// evaluation learns with, so what is measured is what runs.
func testAssociationsMatchInMemoryCounts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	mem := repertoire.NewAssocCounts()
	pairs := [][2][]string{
		{{"pods", "crash"}, {"resta", "memor", "limit"}},
		{{"pods", "crash", "helm"}, {"resta", "limit"}},
		{{"cert", "rotat"}, {"certb", "renew", "nginx"}},
		{{"pods", "pods", ""}, {"memor"}}, // duplicates and empty keys count once / not at all
		{{"lonely"}, nil},                 // no answer: nothing learned
	}
	for i, p := range pairs {
		e, _, err := s.Save(ctx, saveParams(fmt.Sprint("m", i), "answer", "U3"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LearnAssociation(ctx, e.ID, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
		mem.Add(p[0], p[1])
	}
	for _, keys := range [][]string{{"pods"}, {"pods", "cert", "unknown"}, {"crash", "helm"}, nil} {
		for _, per := range []int{1, 2, 16} {
			got, err := s.Associations(ctx, keys, per)
			if err != nil {
				t.Fatal(err)
			}
			want := mem.For(keys, per)
			if len(keys) == 0 {
				want = repertoire.AssocCounts{Q: map[string]int{}, A: map[string]int{}, Both: map[string]map[string]int{}}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Associations(%v, %d)\n got %+v\nwant %+v", keys, per, got, want)
			}
		}
	}
	got, _ := s.Associations(ctx, []string{"pods"}, 16)
	if got.Pairs != 4 || got.Q["pods"] != 3 || got.Both["pods"]["resta"] != 2 || got.A["memor"] != 2 {
		t.Errorf("counts: %+v", got)
	}
}

// A long chat question often comes to its subject late: Search ranks by
// the question's rarest words, not its first ones, so an entry that holds
// only the subject is found whatever precedes it.
func testLongQuestionKeepsItsSubject(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	chatter := strings.Fields("morning folks quick thing today team build pipeline running slow again lately since monday " +
		"release branch merged yesterday evening after lunch meeting notes shared earlier channel thread update")
	for i := range 30 {
		p := saveParams(fmt.Sprint("c", i), "notes: "+strings.Join(chatter[i%10:i%10+12], " "), "U3")
		p.Question = "status " + strings.Join(chatter[(i+5)%10:(i+5)%10+10], " ")
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	p := saveParams("subject", "Raise the kubelet eviction threshold.", "U3")
	p.Question = "Nodes evict zorblax pods"
	if _, _, err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	question := strings.Join(chatter, " ") + " and now zorblax pods get evicted, why?"
	if len(repertoire.Terms(strings.Join(chatter, " "))) < 24 {
		t.Fatal("the fixture must fill the first 24 words with chatter")
	}
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: question, From: general, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].SourceID != "subject" {
		var got []string
		for _, h := range hits {
			got = append(got, h.SourceID)
		}
		t.Errorf("top hits %v, want subject first", got)
	}
}
