package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

type entrySpec struct {
	src, question, answer string
	kind                  repertoire.Kind
	tags                  []string
	author                string
	channel               repertoire.Channel
	at                    time.Time
}

func saveAll(t *testing.T, s repertoire.Store, specs ...entrySpec) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for i, sp := range specs {
		if sp.kind == "" {
			sp.kind = repertoire.Tip
		}
		if sp.author == "" {
			sp.author = "ann"
		}
		if sp.channel.ID == "" {
			sp.channel = general
		}
		if sp.at.IsZero() {
			sp.at = time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)
		}
		e, _, err := s.Save(context.Background(), repertoire.SaveParams{
			Channel: sp.channel, SourceID: sp.src, Kind: sp.kind, Question: sp.question, Answer: sp.answer,
			Tags: sp.tags, Author: repertoire.Person{ID: "U-" + sp.author, Name: sp.author},
			Saver: repertoire.Person{ID: "U-saver"}, At: sp.at,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[sp.src] = e.ID
	}
	return ids
}

func sources(hits []repertoire.Hit) string {
	var out []string
	for _, h := range hits {
		out = append(out, h.SourceID)
	}
	return strings.Join(out, ",")
}

func search(t *testing.T, s repertoire.Store, text string) []repertoire.Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), repertoire.SearchParams{Text: text, From: general, Limit: 10})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return hits
}

func testRecallRanking(t *testing.T, open Opener) {
	s := open(t)
	ops := repertoire.Channel{Platform: "shell", Space: "local", ID: "C-ops", Name: "ops"}
	saveAll(t, s,
		entrySpec{src: "cert-q", question: "How do I rotate the TLS certificate?", answer: "Run certbot renew, then reload nginx."},
		entrySpec{src: "cert-a", question: "Weekly chores", answer: "Among other chores we rotate logs; the certificate is in the vault."},
		entrySpec{src: "kube", question: "Upgrading kubernetes nodes", answer: "Drain each node first, then upgrade.", kind: repertoire.Solution, tags: []string{"k8s"}},
		entrySpec{src: "kube-story", question: "The kubernetes upgrade that went wrong", answer: "We upgraded without draining once.", kind: repertoire.Story},
		entrySpec{src: "nginx-order", question: "Proxy notes", answer: "nginx reload is what you want after config changes, not restart."},
		entrySpec{src: "by-bob", question: "Cache invalidation", answer: "Purge the CDN cache after deploy.", author: "bob", channel: ops, tags: []string{"cdn"}},
		entrySpec{src: "by-ann", question: "Cache warming", answer: "Warm the CDN cache before the launch.", tags: []string{"cdn"}},
	)
	for _, tc := range []struct{ query, wantFirst, mustNot string }{
		{"rotating certificates?", "cert-q", ""},    // stemming; the question field outweighs a long answer
		{"how do I upgrade kube", "kube", ""},       // prefix for a partial word; solutions first for how-to
		{`"reload nginx"`, "cert-q", "nginx-order"}, // phrase: in this order only
		{`"nginx zzzunknown"`, "", ""},              // a phrase nobody wrote softens into words: still no error
		{"cdn cache -purge", "by-ann", "by-bob"},    // exclusion
		{"cdn cache from:@bob", "by-bob", "by-ann"}, // author filter
		{"cdn cache in:#ops", "by-bob", "by-ann"},   // channel filter by name
		{"cdn cache in:#C-ops", "by-bob", "by-ann"}, // …or ID
		{"kind:story", "kube-story", "kube"},        // filters alone list entries
		{"upgrade tag:k8s", "kube", "kube-story"},   // tag filter
	} {
		hits := search(t, s, tc.query)
		if tc.wantFirst != "" && (len(hits) == 0 || hits[0].SourceID != tc.wantFirst) {
			t.Errorf("%q: got %s, want %s first", tc.query, sources(hits), tc.wantFirst)
		}
		for _, h := range hits {
			if tc.mustNot != "" && h.SourceID == tc.mustNot {
				t.Errorf("%q: %s must not be found (got %s)", tc.query, tc.mustNot, sources(hits))
			}
		}
	}
	hits := search(t, s, "rotate the certificate with certbot")
	if len(hits) == 0 || hits[0].Snippet != "Run certbot renew, then reload nginx." || hits[0].Coverage != 1 {
		t.Fatalf("got %s: snippet %q coverage %v", sources(hits), hits[0].Snippet, hits[0].Coverage)
	}
	// The match is a span of the plain snippet, not markup.
	if hl := hits[0].Highlights; len(hl) != 1 || hits[0].Snippet[hl[0].Start:hl[0].End] != "certbot" {
		t.Errorf("highlights %v in %q, want the one word certbot", hl, hits[0].Snippet)
	}
}

// Votes and feedback decide between entries the words cannot tell apart;
// recency breaks the last ties.
func testRecallVotesFeedbackRecency(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ids := saveAll(t, s,
		entrySpec{src: "old", question: "Restart the worker", answer: "Use systemctl restart worker."},
		entrySpec{src: "new", question: "Restart the worker", answer: "Use systemctl restart worker."},
	)
	if got := sources(search(t, s, "restart worker")); got != "new,old" {
		t.Fatalf("equal entries: got %s, want the newest first", got)
	}
	if _, err := s.Vote(ctx, "", ids["old"], "U-fan"); err != nil {
		t.Fatal(err)
	}
	if got := sources(search(t, s, "restart worker")); got != "old,new" {
		t.Fatalf("after a vote: got %s, want the voted one first", got)
	}
	answer := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "bot-1"}
	if err := s.RecordRecall(ctx, answer, []int64{ids["old"]}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"U1", "U2", "U3"} {
		if _, err := s.Feedback(ctx, "", answer, u, false, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := sources(search(t, s, "restart worker")); got != "new,old" {
		t.Fatalf("after three 👎: got %s, want the other first", got)
	}
	// For a how-to question a solution comes before an equal tip.
	saveAll(t, s, entrySpec{src: "sol", question: "Reset the cache", answer: "Flush it with redis-cli.", kind: repertoire.Solution,
		at: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		entrySpec{src: "tip", question: "Reset the cache", answer: "Flush it with redis-cli.", kind: repertoire.Tip,
			at: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if got := sources(search(t, s, "how do I reset the cache")); got != "sol,tip" {
		t.Errorf("how-to: got %s, want the solution first", got)
	}
	if got := sources(search(t, s, "reset cache")); got != "tip,sol" {
		t.Errorf("not a how-to: got %s, want the newer first", got)
	}
}

func testFeedbackCounts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ids := saveAll(t, s,
		entrySpec{src: "a", question: "q a", answer: "answer a"},
		entrySpec{src: "b", question: "q b", answer: "answer b"},
	)
	answer := repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "bot-1"}
	other := answer
	other.Message = "someone-else"
	if _, err := s.Feedback(ctx, "", answer, "U1", true, time.Time{}); err == nil {
		t.Fatal("feedback on a message that is no recall answer should be ErrNotFound")
	}
	if err := s.RecordRecall(ctx, answer, []int64{ids["a"], ids["b"]}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRecall(ctx, answer, []int64{ids["a"]}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		event   string
		user    string
		helpful bool
		add     bool
		changed bool
	}{
		{"e1", "U1", true, true, true},
		{"e2", "U1", true, true, false}, // twice counts once
		{"e3", "U2", false, true, true},
		{"e4", "U1", true, false, true}, // taken back
		{"e5", "U1", true, true, true},
	}
	for _, st := range steps {
		var (
			changed bool
			err     error
		)
		if st.add {
			changed, err = s.Feedback(ctx, st.event, answer, st.user, st.helpful, time.Time{})
		} else {
			changed, err = s.Unfeedback(ctx, st.event, answer, st.user, st.helpful)
		}
		if err != nil || changed != st.changed {
			t.Fatalf("%s: changed %v err %v, want %v", st.event, changed, err, st.changed)
		}
	}
	if _, err := s.Feedback(ctx, "e5", answer, "U3", true, time.Time{}); err == nil {
		t.Fatal("a redelivered event should not apply twice")
	}
	// A reaction on the answer is a verdict on its first entry only.
	for src, want := range map[string][2]int{"a": {1, 1}, "b": {0, 0}} {
		e, err := s.Entry(ctx, ids[src])
		if err != nil || e.Helpful != want[0] || e.Unhelpful != want[1] {
			t.Errorf("entry %s: helpful %d unhelpful %d err %v, want %v", src, e.Helpful, e.Unhelpful, err, want)
		}
	}
	f, err := s.ForgetUser(ctx, "shell", "U1")
	if err != nil || f.Feedback != 1 {
		t.Fatalf("forget: %+v %v", f, err)
	}
	if e, _ := s.Entry(ctx, ids["a"]); e.Helpful != 0 || e.Unhelpful != 1 {
		t.Errorf("after forget: %d/%d", e.Helpful, e.Unhelpful)
	}
	_ = other
}

func testNudgeState(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if on, err := s.NudgesOn(ctx, general); err != nil || on {
		t.Fatalf("nudges should start off: %v %v", on, err)
	}
	if err := s.SetNudges(ctx, general, true); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.NudgesOn(ctx, general); !on {
		t.Fatal("nudges not on")
	}
	for i, want := range []bool{true, false} {
		got, err := s.ClaimNudge(ctx, fmt.Sprint("ev", i), general, "thread-1", time.Time{})
		if err != nil || got != want {
			t.Errorf("claim %d: %v %v, want %v", i, got, err, want)
		}
	}
	if got, _ := s.ClaimNudge(ctx, "ev0", general, "thread-2", time.Time{}); got {
		t.Error("a redelivered event claimed a nudge")
	}
	if err := s.SetNudges(ctx, general, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.NudgesOn(ctx, general); on {
		t.Fatal("nudges still on")
	}
}

// syntaxMisuse is the query syntax used wrongly; recall must answer all of it.
var syntaxMisuse = []string{
	`"`, `"""`, `" "`, `-`, `--`, `- -`, `-"phrase"`, `tag:`, `tag::`, `tag:"x y"`, `kind:`, `kind:nope`, `from:`,
	`from:@`, `from:<@>`, `in:#`, `in:<#|>`, `in:<#C1|`, `tag:%`, `tag:_`, `from:'; DROP TABLE entries;--`,
	`"-word"`, `"tag:x"`, `kind:solution -`, `-tag:x`, `tag:x -tag:x`, `"a" "b" "c" "d" "e" "f"`,
	strings.Repeat(`"x y" `, 100), strings.Repeat("tag:t ", 100), strings.Repeat("-no ", 100),
	"in:#\xff", "from:@\x00", `“unbalanced smart`, `”`, `kind:how-we-do "`,
}

func testRecallNeverErrorsOnSyntaxMisuse(t *testing.T, open Opener) {
	s := open(t)
	saveAll(t, s, entrySpec{src: "m1", question: "tag the release", answer: "x y z kind words from in", tags: []string{"t"}})
	for _, text := range append(syntaxMisuse, userTexts...) {
		if _, err := s.Search(context.Background(), repertoire.SearchParams{Text: text, From: general}); err != nil {
			t.Errorf("Search(%q): %v", text, err)
		}
	}
}

// TestPrivateNeverLeaks is a property test: over random channels (across
// platforms and spaces, sharing IDs and names), random visibilities and
// random queries (words, phrases, filters, in:#channel naming the private
// one), no entry from a private channel reaches a recall from another, and
// no entry at all crosses from one workspace or server to another.
func testPrivateNeverLeaks(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	r := rand.New(rand.NewPCG(7, 11))
	vocab := strings.Fields("vault token secret deploy rotate cert nginx cache restart worker backup restore")
	var channels []repertoire.Channel
	for i := range 12 {
		channels = append(channels, repertoire.Channel{
			Platform: []string{"slack", "discord"}[r.IntN(2)], Space: []string{"s1", "s2", ""}[r.IntN(3)],
			ID: fmt.Sprint("C", r.IntN(4)), Name: fmt.Sprint("chan", i%5), Private: r.IntN(2) == 0,
		})
	}
	text := func(n int) string {
		var w []string
		for range n {
			w = append(w, vocab[r.IntN(len(vocab))])
		}
		return strings.Join(w, " ")
	}
	type key struct{ platform, space, id string }
	private := map[key]bool{}
	for i := range 300 {
		ch := channels[r.IntN(len(channels))]
		// The first save of a channel ref decides its visibility, as on a platform.
		k := key{ch.Platform, ch.Space, ch.ID}
		if p, ok := private[k]; ok {
			ch.Private = p
		} else {
			private[k] = ch.Private
		}
		_, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Question: text(4), Answer: text(12), Author: repertoire.Person{ID: "U1"}, Tags: []string{vocab[r.IntN(len(vocab))]}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 400 {
		from := channels[r.IntN(len(channels))]
		q := text(1 + r.IntN(3))
		switch r.IntN(4) {
		case 0:
			q += fmt.Sprintf(" in:#%s", channels[r.IntN(len(channels))].Name)
		case 1:
			q += fmt.Sprintf(` "%s"`, text(2))
		case 2:
			q = fmt.Sprintf("tag:%s", vocab[r.IntN(len(vocab))])
		}
		// Sometimes the asker is in a DM with more spaces of theirs (Discord).
		var spaces []string
		if r.IntN(3) == 0 {
			spaces = append(spaces, []string{"s1", "s2", ""}[r.IntN(3)])
		}
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: from, Spaces: spaces, Limit: 50})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, h := range hits {
			same := h.Channel.Platform == from.Platform && h.Channel.Space == from.Space && h.Channel.ID == from.ID
			if h.Channel.Private && !same {
				t.Fatalf("query %q from %+v returned private entry %d of %+v", q, from, h.ID, h.Channel)
			}
			if h.Channel.Platform != from.Platform || (h.Channel.Space != from.Space && !slices.Contains(spaces, h.Channel.Space)) {
				t.Fatalf("query %q from %+v (spaces %q) returned entry %d of another workspace %+v", q, from, spaces, h.ID, h.Channel)
			}
		}
	}
}

// A DM outside any server sees the public entries of the servers the
// member shares with the bot, never their private ones.
func testSearchFromADirectMessageWithSpaces(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	public := repertoire.Channel{Platform: "discord", Space: "G1", ID: "general", Name: "general"}
	staff := repertoire.Channel{Platform: "discord", Space: "G1", ID: "staff", Private: true}
	other := repertoire.Channel{Platform: "discord", Space: "G2", ID: "general"}
	for i, ch := range []repertoire.Channel{public, staff, other} {
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Answer: "rotate the vault token monthly", Author: repertoire.Person{ID: "U1"}}); err != nil {
			t.Fatal(err)
		}
	}
	dm := repertoire.Channel{Platform: "discord", ID: "dm-1", Private: true}
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: "vault token", From: dm})
	if err != nil || len(hits) != 0 {
		t.Fatalf("a DM with no spaces: %v %v", hits, err)
	}
	hits, err = s.Search(ctx, repertoire.SearchParams{Text: "vault token", From: dm, Spaces: []string{"G1"}})
	if err != nil || len(hits) != 1 || hits[0].Channel.ID != "general" || hits[0].Channel.Space != "G1" {
		t.Fatalf("a DM of a G1 member: %+v %v; want #general of G1 only", hits, err)
	}
}

// TestEntryFeedback: a button beside one entry of an answer is a verdict on
// that entry alone, once per member, and a forged one changes nothing.
func testEntryFeedback(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ids := saveAll(t, s,
		entrySpec{src: "a", question: "q a", answer: "answer a"},
		entrySpec{src: "b", question: "q b", answer: "answer b"},
		entrySpec{src: "c", question: "q c", answer: "answer c"},
		entrySpec{src: "d", question: "q d", answer: "answer d"},
	)
	answer := repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "111.222"}
	if err := s.RecordRecall(ctx, answer, []int64{ids["a"], ids["b"], ids["c"]}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		event, user string
		entry       int64
		helpful     bool
		changed     bool
		err         error
	}{
		{"b1", "U1", ids["b"], true, true, nil},
		{"b2", "U1", ids["b"], true, false, nil}, // pressed twice: once
		{"b1", "U2", ids["b"], true, false, repertoire.ErrAlreadyApplied},
		{"b3", "U2", ids["b"], true, true, nil},
		{"b4", "U3", ids["b"], false, true, nil},
		{"b5", "U3", ids["b"], true, true, nil},                     // changed their mind
		{"b6", "U1", ids["d"], true, false, repertoire.ErrNotFound}, // not in that answer
		{"b7", "U1", 0, true, false, repertoire.ErrNotFound},
	}
	for _, st := range steps {
		changed, err := s.EntryFeedback(ctx, st.event, answer, st.entry, st.user, st.helpful, time.Time{})
		if changed != st.changed || !errors.Is(err, st.err) {
			t.Fatalf("%s by %s: changed %v err %v, want %v %v", st.event, st.user, changed, err, st.changed, st.err)
		}
	}
	other := answer
	other.Message = "999.000"
	if _, err := s.EntryFeedback(ctx, "", other, ids["a"], "U1", true, time.Time{}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("feedback on a message that is no answer: %v", err)
	}
	// A 👍 reaction by U1 on the answer is their verdict on its first entry.
	if _, err := s.Feedback(ctx, "r1", answer, "U1", true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string][2]int{"a": {1, 0}, "b": {3, 0}, "c": {0, 0}, "d": {0, 0}} {
		e, err := s.Entry(ctx, ids[src])
		if err != nil || e.Helpful != want[0] || e.Unhelpful != want[1] {
			t.Errorf("entry %s: helpful %d unhelpful %d err %v, want %v", src, e.Helpful, e.Unhelpful, err, want)
		}
	}
	f, err := s.ForgetUser(ctx, "slack", "U1")
	if err != nil || f.Feedback != 2 {
		t.Fatalf("forget: %+v %v", f, err)
	}
	if e, _ := s.Entry(ctx, ids["b"]); e.Helpful != 2 {
		t.Errorf("after forget: b helpful %d, want 2", e.Helpful)
	}
}
