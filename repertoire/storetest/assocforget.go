package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// What an entry taught the word associations goes with it: deleting the
// entry, editing its text, forgetting its author or asker and purging its
// space each leave the counts exactly as if it had never taught (checked
// against in-memory counts of the pairs that remain), and no key only it
// held stays readable. A private or unknown entry teaches nothing.
func testAssociationsForgetWhatTheirEntriesTaught(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	const secret = "qzxvwkey" // a key only the forgotten entries hold
	type taught struct {
		src    string
		q, a   []string
		author string
		asker  string
		space  string
	}
	pairs := []taught{
		{src: "keep1", q: []string{"pods", "crash"}, a: []string{"resta", "memor"}, author: "U2", asker: "U1", space: "local"},
		{src: "keep2", q: []string{"pods", "helm"}, a: []string{"resta", "limit"}, author: "U2", asker: "U1", space: "local"},
		{src: "del", q: []string{"pods", secret}, a: []string{"resta", secret + "a"}, author: "U2", asker: "U1", space: "local"},
		{src: "edit", q: []string{"cert", "pods"}, a: []string{"certb", secret + "b"}, author: "U2", asker: "U1", space: "local"},
		{src: "bob", q: []string{"pods", "crash"}, a: []string{secret + "c", "memor"}, author: "U-bob", asker: "U1", space: "local"},
		{src: "bobq", q: []string{secret + "d", "crash"}, a: []string{"resta"}, author: "U2", asker: "U-bob", space: "local"},
		{src: "purged", q: []string{"pods", secret + "e"}, a: []string{"memor"}, author: "U2", asker: "U1", space: "gone"},
	}
	ids := map[string]int64{}
	for _, p := range pairs {
		sp := saveParams(p.src, "answer of "+p.src, "U3")
		sp.Channel.Space = p.space
		sp.Author = repertoire.Person{ID: p.author, Name: p.author}
		sp.QuestionAuthor = repertoire.Person{ID: p.asker, Name: p.asker}
		e, _, err := s.Save(ctx, sp)
		if err != nil {
			t.Fatal(err)
		}
		ids[p.src] = e.ID
		if err := s.LearnAssociation(ctx, e.ID, p.q, p.a); err != nil {
			t.Fatal(err)
		}
	}
	// Found helpful: keep1 teaches twice, and del twice (both go with it).
	for _, p := range pairs {
		if p.src != "keep1" && p.src != "del" {
			continue
		}
		if err := s.LearnAssociation(ctx, ids[p.src], p.q, p.a); err != nil {
			t.Fatal(err)
		}
	}
	// A private entry and an entry that does not exist teach nothing.
	priv := saveParams("private", "private answer", "U3")
	priv.Channel = repertoire.Channel{Platform: "shell", Space: "local", ID: "secret", Name: "secret", Private: true}
	pe, _, err := s.Save(ctx, priv)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{pe.ID, 1 << 40} {
		if err := s.LearnAssociation(ctx, id, []string{"pods", secret + "f"}, []string{"resta"}); err != nil {
			t.Fatal(err)
		}
	}

	keys := []string{"pods", "crash", "helm", "cert", secret, secret + "d", secret + "f", "unknown"}
	check := func(step string, remaining map[string]int) {
		t.Helper()
		mem := repertoire.NewAssocCounts()
		for _, p := range pairs {
			for range remaining[p.src] {
				mem.Add(p.q, p.a)
			}
		}
		for _, per := range []int{2, 16} {
			got, err := s.Associations(ctx, keys, per)
			if err != nil {
				t.Fatal(err)
			}
			if want := mem.For(keys, per); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Associations(%d)\n got %+v\nwant %+v", step, per, got, want)
			}
		}
	}
	remaining := map[string]int{"keep1": 2, "keep2": 1, "del": 2, "edit": 1, "bob": 1, "bobq": 1, "purged": 1}
	check("learned", remaining)
	secrets := []string{secret, secret + "a", secret + "b", secret + "c", secret + "d", secret + "e", secret + "f"}
	held := func() []string {
		t.Helper()
		got, err := s.Associations(ctx, secrets, 64)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range secrets {
			if got.Q[k] > 0 || got.A[k] > 0 || len(got.Both[k]) > 0 {
				out = append(out, k)
			}
		}
		return out
	}
	if h := held(); len(h) != 6 { // all but the private entry's
		t.Fatalf("test is blind: the store holds keys %v before forgetting", h)
	}

	src := func(space, msg string) repertoire.Source {
		return repertoire.Source{Platform: "shell", Space: space, Channel: "general", Message: msg}
	}
	if n, err := s.DeleteSource(ctx, "ev-del", src("local", "del")); err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	delete(remaining, "del")
	check("entry deleted", remaining)

	if n, err := s.EditSource(ctx, "ev-edit", src("local", "edit"), "an edited answer", time.Now()); err != nil || n != 1 {
		t.Fatalf("edit: %d %v", n, err)
	}
	delete(remaining, "edit")
	check("entry edited", remaining)

	if _, err := s.ForgetUser(ctx, "shell", "U-bob"); err != nil {
		t.Fatal(err)
	}
	delete(remaining, "bob")  // bob's answer is deleted
	delete(remaining, "bobq") // bob's question is gone from the entry
	check("member forgotten", remaining)

	if _, err := s.PurgeSpace(ctx, "ev-purge", "shell", "gone"); err != nil {
		t.Fatal(err)
	}
	delete(remaining, "purged")
	check("space purged", remaining)

	got, err := s.Associations(ctx, []string{secret, secret + "d", "pods"}, 64)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pairs != 3 || got.Q["pods"] != 3 || got.Both["pods"]["resta"] != 3 {
		t.Errorf("what keep1 (twice) and keep2 taught: %+v", got)
	}
	for k := range got.Both["pods"] {
		if strings.HasPrefix(k, secret) {
			t.Errorf("forgotten key %q still a partner", k)
		}
	}
	if h := held(); len(h) != 0 {
		t.Errorf("forgotten keys %v are still held", h)
	}
}
