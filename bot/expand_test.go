package bot_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// An entry that answers in other words than the question's is not a
// candidate of one Search pass; the second pass, widened by the words the
// first pass's best hits share, finds it, and never what the asking
// channel may not see.
func TestSearchExpandedFindsAnAnswerInOtherWords(t *testing.T) {
	_, _, s := newBot(t)
	ctx := context.Background()
	save := func(ch, id, q, a string, private bool) {
		t.Helper()
		_, _, err := s.Save(ctx, repertoire.SaveParams{
			Channel:  repertoire.Channel{Platform: "test", Space: "s", ID: ch, Name: ch, Private: private},
			SourceID: id, Kind: repertoire.Solution, Question: q, Answer: a,
			Author: repertoire.Person{ID: "U2"}, Saver: repertoire.Person{ID: "U3"},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	save("ops", "e1", "Crashloop after every deploy", "The kubelet OOM killer restarts the container: raise the memory limits.", false)
	save("ops", "e2", "Crashloop again on staging", "Kubelet OOM killer again; memory limits were too low.", false)
	save("ops", "target", "Pods keep restarting", "The kubelet OOM killer is at work: raise memory limits in the chart.", false)
	save("vault", "hidden", "Pods keep restarting in the vault", "The kubelet OOM killer again: memory limits.", true)
	for i := range 12 {
		save("ops", fmt.Sprint("f", i), fmt.Sprintf("Lunch order %d", i), fmt.Sprintf("Pizza on floor %d, salad for the team.", i), false)
	}
	p := repertoire.SearchParams{Text: "crashloop after deploy", From: repertoire.Channel{Platform: "test", Space: "s", ID: "ops"}, Limit: 50}
	ids := func(hits []repertoire.Hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.SourceID)
		}
		return out
	}
	one, err := bot.SearchExpanded(ctx, s, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(one); slices.Contains(got, "target") || len(got) != 2 {
		t.Fatalf("one pass found %v: the fixture must hide the target from it", got)
	}
	if words := bot.Expansion(p.Text, one, 5); !slices.Contains(words, "kubelet") || !slices.Contains(words, "memory") || slices.Contains(words, "crashloop") {
		t.Errorf("feedback words %v", words)
	}
	two, err := bot.SearchExpanded(ctx, s, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(two)
	if len(got) != 3 || got[2] != "target" || !slices.Equal(got[:2], ids(one)) {
		t.Errorf("two passes found %v, want %v then the target", got, ids(one))
	}
	if slices.Contains(got, "hidden") {
		t.Errorf("the second pass found a private channel's entry: %v", got)
	}
	if slices.ContainsFunc(got, func(id string) bool { return id[0] == 'f' }) {
		t.Errorf("the second pass brought unrelated entries: %v", got)
	}
}

// The second pass only adds candidates: the first pass's hits keep their
// order, each entry once.
func TestAppendPasses(t *testing.T) {
	h := func(ids ...int64) []repertoire.Hit {
		var out []repertoire.Hit
		for _, id := range ids {
			out = append(out, repertoire.Hit{Entry: repertoire.Entry{ID: id}})
		}
		return out
	}
	var ids []int64
	for _, x := range bot.AppendPasses(h(1, 2, 3), h(3, 4, 1, 5)) {
		ids = append(ids, x.ID)
	}
	if !slices.Equal(ids, []int64{1, 2, 3, 4, 5}) {
		t.Errorf("appended %v, want [1 2 3 4 5]", ids)
	}
}
