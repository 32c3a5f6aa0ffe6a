package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

func testForgetUserLeavesNoText(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	const secret = "xylophonequartz"
	const question = "zebracrossingmarmalade"
	bob := repertoire.Person{ID: "U-bob", Name: "bob"}
	alice := repertoire.Person{ID: "U-alice", Name: "alice"}
	// Bob's answer, saved by alice; alice's answer to bob's question, saved by bob.
	p1 := saveParams("m1", "The trick is "+secret+" mode", alice.ID)
	p1.Author, p1.Saver = bob, alice
	p2 := saveParams("m2", "Alice explains the ferry timetable", bob.ID)
	p2.Author, p2.Saver, p2.QuestionAuthor, p2.Question = alice, bob, bob, "What about "+question+"?"
	for _, p := range []repertoire.SaveParams{p1, p2} {
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, Asker: bob, Text: "open " + secret}); err != nil {
		t.Fatal(err)
	}
	before := readable(t, s)
	if !bytes.Contains(before, []byte(secret)) || !bytes.Contains(before, []byte(question)) {
		t.Fatal("test is blind: the words are not in the files before forgetting")
	}
	f, err := s.ForgetUser(ctx, "shell", bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries != 1 || f.Questions != 1 || f.Saves != 1 || f.OpenQuestions != 1 {
		t.Errorf("forgotten %+v", f)
	}
	for _, w := range []string{secret, question} {
		if hits, _ := s.Search(ctx, repertoire.SearchParams{Text: w, From: general}); len(hits) != 0 {
			t.Errorf("%s still found", w)
		}
		if bytes.Contains(readable(t, s), []byte(w)) {
			t.Errorf("%s still readable", w)
		}
	}
	e, err := s.EntryBySource(ctx, repertoire.Source{Platform: "shell", Space: "local", Channel: "general", Message: "m2"})
	if err != nil || e.Answer == "" || e.Question != "" || len(e.Savers) != 0 {
		t.Errorf("alice's answer should stay without bob's question and save: %+v %v", e, err)
	}
}

// What a forgotten member wrote before the forget is not stored again,
// however it comes back (a delivery still pending at the forget, a
// catch-up pass, an edit, another member's capture, an import); what they
// write after it is stored as anyone's.
func testForgottenWordsStayForgotten(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	bob := repertoire.Person{ID: "U-bob", Name: "bob"}
	alice := repertoire.Person{ID: "U-alice", Name: "alice"}
	before := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // posted before the forget, whatever the store's clock
	after := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)  // and after it
	if _, err := s.ForgetUser(ctx, "shell", bob.ID); err != nil {
		t.Fatal(err)
	}
	const secret = "quetzalpendulum"
	// The message log.
	if err := s.LogMessage(ctx, "", logged("m-old", bob.ID, "my "+secret+" trick", before)); err != nil {
		t.Fatal(err)
	}
	if err := s.LogMessage(ctx, "", logged("m-new", bob.ID, "a new one", after)); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general})
	if err != nil || len(msgs) != 1 || msgs[0].ID != "m-new" {
		t.Errorf("logged after the forget: %+v (%v), want only the new message", msgs, err)
	}
	// Saves: bob's old answer is refused, his new one kept; his old
	// question leaves alice's answer without it.
	old := saveParams("s-old", "The "+secret+" way", alice.ID)
	old.Author, old.Posted = bob, before
	if _, _, err := s.Save(ctx, old); !errors.Is(err, repertoire.ErrForgotten) {
		t.Errorf("saving bob's earlier answer: %v, want ErrForgotten", err)
	}
	fresh := saveParams("s-new", "A new answer", alice.ID)
	fresh.Author, fresh.Posted = bob, after
	if _, _, err := s.Save(ctx, fresh); err != nil {
		t.Errorf("saving bob's later answer: %v", err)
	}
	q := saveParams("s-q", "Alice's answer", bob.ID)
	q.Author, q.QuestionAuthor, q.Question, q.QuestionPosted, q.Posted = alice, bob, "What about "+secret+"?", before, before
	e, _, err := s.Save(ctx, q)
	if err != nil || e.Question != "" || e.QuestionAuthor.ID != "" || e.Answer != "Alice's answer" {
		t.Errorf("alice's answer to bob's earlier question: %+v (%v), want it without the question", e, err)
	}
	// An open question.
	for at, text := range map[time.Time]string{before: "open " + secret + "?", after: "a later question?"} {
		if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: general, MessageID: "oq" + at.Format("2006"), Asker: bob,
			Text: text, AskedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if qs, err := s.OpenQuestions(ctx, general, time.Time{}); err != nil || len(qs) != 1 || qs[0].MessageID != "oq2100" {
		t.Errorf("open questions after the forget: %+v (%v), want only the later one", qs, err)
	}
	// An import.
	rec := func(id, text string, at time.Time) repertoire.Record {
		return repertoire.Record{Channel: general, SourceID: id, Kind: repertoire.Tip, Answer: text, Author: bob, CreatedAt: at, UpdatedAt: at}
	}
	res, err := s.ImportBatch(ctx, repertoire.Batch{Records: []repertoire.Record{rec("i-old", "imported "+secret, before), rec("i-new", "imported later", after)},
		OpenQuestions: []repertoire.OpenQuestion{{Channel: general, MessageID: "o-old", Asker: bob, Text: "open " + secret + "?", AskedAt: before}}})
	if err != nil || res.Created != 1 || res.Forgotten != 2 || res.OpenQuestions != 0 {
		t.Errorf("import after the forget: %+v (%v), want 1 created and 2 left out", res, err)
	}
	if hits, err := s.Search(ctx, repertoire.SearchParams{Text: secret, From: general}); err != nil || len(hits) != 0 {
		t.Errorf("the forgotten words are found again: %d hits (%v)", len(hits), err)
	}
	if bytes.Contains(readable(t, s), []byte(secret)) {
		t.Error("the forgotten words are readable again")
	}
}

// A forgotten member's acts dated before the forget (a reaction, a thumb,
// a button press still pending in the inbox when they asked, or a reaction
// catch-up found later) do not name them again: the exchange they saved is
// kept as if the forget had come after the save. Their acts dated after
// it are recorded as anyone's.
func testForgottenActsStayForgotten(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	before := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // acted before the forget, whatever the store's clock
	after := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)  // and after it
	if err := s.LogMessage(ctx, "", logged("m1", "U-alice", "run certbot renew", before)); err != nil {
		t.Fatal(err)
	}
	saved, _, err := s.Save(ctx, saveParams("m1", "run certbot renew", "U-carol"))
	if err != nil {
		t.Fatal(err)
	}
	answer := src("bot-1")
	if err := s.RecordRecall(ctx, answer, []int64{saved.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, "shell", "U-bob"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{before, {}} {
		// Dated before the forget, and undated (taken as now: after it).
		vote := saveParams("m1", "run certbot renew", "U-bob")
		vote.Acted = at
		if e, outcome, err := s.Save(ctx, vote); err != nil || (at.IsZero() != (outcome == repertoire.AddedVote)) || (at.IsZero() != (e.Votes == 2)) {
			t.Errorf("bob's 💡 acted %v on carol's entry: %v, %d votes (%v)", at, outcome, e.Votes, err)
		}
		if _, err := s.Unsave(ctx, "", src("m1"), "U-bob"); err != nil {
			t.Fatal(err)
		}
	}
	save := saveParams("m2", "git worktree, no stash", "U-bob")
	save.Acted = before
	e, outcome, err := s.Save(ctx, save)
	if err != nil || outcome != repertoire.Created || len(e.Savers) != 0 || e.Votes != 0 {
		t.Errorf("bob's earlier 💡 on a new exchange: %v %+v (%v), want it saved without him", outcome, e, err)
	}
	if changed, err := s.Feedback(ctx, "", answer, "U-bob", true, before); err != nil || changed {
		t.Errorf("bob's earlier 👍: changed %v (%v), want nothing recorded", changed, err)
	}
	if changed, err := s.EntryFeedback(ctx, "", answer, saved.ID, "U-bob", true, before); err != nil || changed {
		t.Errorf("bob's earlier \"This helped\": changed %v (%v), want nothing recorded", changed, err)
	}
	if err := s.LogReaction(ctx, src("m1"), "U-bob", "💡", true, before); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Entry(ctx, saved.ID); err != nil || e.Helpful != 0 {
		t.Errorf("carol's entry after bob's earlier thumbs: helpful %d (%v)", e.Helpful, err)
	}
	if vs, err := s.AnswerVerdicts(ctx, answer); err != nil || len(vs) != 0 {
		t.Errorf("verdicts after bob's earlier press: %+v (%v)", vs, err)
	}
	if lm, err := s.LoggedMessageBySource(ctx, src("m1")); err != nil || len(lm.Reactions) != 0 {
		t.Errorf("logged reactions after bob's earlier 💡: %+v (%v)", lm.Reactions, err)
	}
	// An import (an export taken before the forget): his save and vote
	// given before it are left out, a later one is kept.
	bob, carol, alice := repertoire.Person{ID: "U-bob", Name: "bob"}, repertoire.Person{ID: "U-carol", Name: "carol"}, repertoire.Person{ID: "U-alice", Name: "alice"}
	rec := func(id string, savers, voters []repertoire.Endorsement) repertoire.Record {
		return repertoire.Record{Channel: general, SourceID: id, Kind: repertoire.Tip, Answer: "imported tip " + id, Author: alice,
			Savers: savers, Voters: voters, CreatedAt: before, UpdatedAt: before}
	}
	if _, err := s.ImportBatch(ctx, repertoire.Batch{Records: []repertoire.Record{
		rec("i1", []repertoire.Endorsement{{Person: bob, At: before}}, []repertoire.Endorsement{{Person: carol, At: before}}),
		rec("i2", []repertoire.Endorsement{{Person: carol, At: before}}, []repertoire.Endorsement{{Person: bob, At: before}}),
		rec("i3", []repertoire.Endorsement{{Person: bob, At: after}}, nil),
	}}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]struct {
		savers string
		votes  int
	}{"i1": {"", 1}, "i2": {"carol", 1}, "i3": {"bob", 1}} {
		e, err := s.EntryBySource(ctx, src(id))
		var savers []string
		for _, p := range e.Savers {
			savers = append(savers, p.Name)
		}
		if err != nil || strings.Join(savers, ",") != want.savers || e.Votes != want.votes {
			t.Errorf("imported %s: savers %v, %d votes (%v); want %q and %d", id, savers, e.Votes, err, want.savers, want.votes)
		}
	}
	// After the forget, bob acts as anyone.
	save.Acted = after
	if e, outcome, err = s.Save(ctx, save); err != nil || outcome != repertoire.AddedSaver || len(e.Savers) != 1 {
		t.Errorf("bob's later 💡: %v %+v (%v), want him as saver", outcome, e.Savers, err)
	}
	if changed, err := s.EntryFeedback(ctx, "", answer, saved.ID, "U-bob", true, after); err != nil || !changed {
		t.Errorf("bob's later \"This helped\": changed %v (%v)", changed, err)
	}
	if changed, err := s.Feedback(ctx, "", answer, "U-bob", true, after); err != nil || !changed {
		t.Errorf("bob's later 👍: changed %v (%v)", changed, err)
	}
	if err := s.LogReaction(ctx, src("m1"), "U-bob", "💡", true, after); err != nil {
		t.Fatal(err)
	}
	if lm, err := s.LoggedMessageBySource(ctx, src("m1")); err != nil || len(lm.Reactions) != 1 {
		t.Errorf("logged reactions after bob's later 💡: %+v (%v)", lm.Reactions, err)
	}
}

// The channel settings a forgotten member made stay the channel's, but no
// longer name them: a digest schedule's updated_by and a detection mode's
// set_by. Another member's settings keep their name.
func testForgetUserLeavesSettingsUnnamed(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	other := repertoire.Channel{Platform: "shell", Space: "local", ID: "ops"}
	for ch, by := range map[repertoire.Channel]string{general: "U-bob", other: "U-alice"} {
		if err := s.SetDigestSchedule(ctx, repertoire.DigestSchedule{Channel: ch, Spec: "30 17 * * *", Zone: "UTC", Enabled: true, UpdatedBy: by}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDetectMode(ctx, ch, repertoire.DetectAuto, by); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ForgetUser(ctx, "shell", "U-bob"); err != nil {
		t.Fatal(err)
	}
	for ch, by := range map[repertoire.Channel]string{general: "", other: "U-alice"} {
		d, err := s.GetDigestSchedule(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if d.UpdatedBy != by || !d.Enabled || d.Spec != "30 17 * * *" {
			t.Errorf("%s's schedule after bob's forget: %+v, want it kept, set by %q", ch.ID, d, by)
		}
		if m, err := s.DetectModeOf(ctx, ch); err != nil || m != repertoire.DetectAuto {
			t.Errorf("%s's detection mode after bob's forget: %v %v", ch.ID, m, err)
		}
	}
}
