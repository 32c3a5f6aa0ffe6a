package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func logged(id, author, text string, at time.Time) repertoire.LoggedMessage {
	return repertoire.LoggedMessage{Channel: general, ID: id, Author: repertoire.Person{ID: author, Name: author}, Text: text, At: at}
}

func src(id string) repertoire.Source {
	return repertoire.Source{Platform: general.Platform, Space: general.Space, Channel: general.ID, Message: id}
}

func testMessageLogFollowsEditsDeletesAndRetention(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if err := s.LogMessage(ctx, "ev1", logged("m1", "U1", "How do I rotate the cert?", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.LogMessage(ctx, "ev1", logged("m1", "U1", "again", t0)); !errors.Is(err, repertoire.ErrAlreadyApplied) {
		t.Fatalf("redelivery: %v", err)
	}
	if err := s.LogMessage(ctx, "ev2", logged("m2", "U2", "certbot renew", t0.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := s.LogReaction(ctx, src("m2"), "U1", "🙏", true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.LogReaction(ctx, src("nope"), "U1", "🙏", true, time.Time{}); err != nil {
		t.Fatalf("a reaction on an unlogged message changes nothing: %v", err)
	}
	msgs, err := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general})
	if err != nil || len(msgs) != 2 || msgs[0].ID != "m1" || len(msgs[1].Reactions) != 1 || msgs[1].Reactions[0].Emoji != "🙏" {
		t.Fatalf("log %+v %v", msgs, err)
	}
	// Several reactions on one message: it comes once, its reactions in
	// (member, emoji) order, and a limit counts messages, not reactions.
	for _, r := range []struct{ user, emoji string }{{"U3", "👍"}, {"U1", "✅"}, {"U3", "🙏"}} {
		if err := s.LogReaction(ctx, src("m2"), r.user, r.emoji, true, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LogMessage(ctx, "ev3", logged("m3", "U3", "thanks", t0.Add(2*time.Minute))); err != nil {
		t.Fatal(err)
	}
	msgs, err = s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general, Limit: 2})
	if err != nil || len(msgs) != 2 || msgs[0].ID != "m2" || msgs[1].ID != "m3" || len(msgs[1].Reactions) != 0 ||
		msgs[0].Channel != general || !msgs[0].At.Equal(t0.Add(time.Minute)) ||
		fmt.Sprint(msgs[0].Reactions) != "[{U1 ✅} {U1 🙏} {U3 👍} {U3 🙏}]" {
		t.Fatalf("the last two with their reactions: %+v %v", msgs, err)
	}
	if ok, err := s.DeleteLoggedMessage(ctx, src("m3")); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, err := s.EditLoggedMessage(ctx, src("m2"), "certbot renew --force", time.Time{}); !ok || err != nil {
		t.Fatalf("edit: %v %v", ok, err)
	}
	m, err := s.LoggedMessageBySource(ctx, src("m2"))
	if err != nil || m.Text != "certbot renew --force" {
		t.Fatalf("edited %+v %v", m, err)
	}
	if ok, err := s.DeleteLoggedMessage(ctx, src("m2")); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if _, err := s.LoggedMessageBySource(ctx, src("m2")); !errors.Is(err, repertoire.ErrNotFound) {
		t.Fatalf("deleted message still logged: %v", err)
	}
	if n, err := s.PruneMessages(ctx, t0.Add(time.Second)); n != 1 || err != nil {
		t.Fatalf("prune: %d %v", n, err)
	}
	if msgs, _ := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general}); len(msgs) != 0 {
		t.Fatalf("after prune %+v", msgs)
	}
}

func testLoggedMessagesOfAThread(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	for i, m := range []repertoire.LoggedMessage{
		logged("root", "U1", "question", t0),
		logged("other", "U3", "unrelated", t0.Add(time.Second)),
		{Channel: general, ID: "r1", Thread: "root", Author: repertoire.Person{ID: "U2"}, Text: "reply", At: t0.Add(2 * time.Second)},
	} {
		if err := s.LogMessage(ctx, "", m); err != nil {
			t.Fatal(i, err)
		}
	}
	withReaction := logged("r2", "U4", "known reactions come along", t0.Add(3*time.Second))
	withReaction.Thread, withReaction.Reactions = "root", []repertoire.LoggedReaction{{UserID: "U1", Emoji: "✅"}}
	if err := s.LogMessage(ctx, "", withReaction); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general, Thread: "root"})
	if err != nil || len(msgs) != 3 || msgs[0].ID != "root" || msgs[1].ID != "r1" || len(msgs[2].Reactions) != 1 {
		t.Fatalf("thread %+v %v", msgs, err)
	}
}

func testForgetUserClearsTheMessageLog(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	const secret = "quokkaparachute"
	if err := s.LogMessage(ctx, "", logged("m1", "U-bob", "my "+secret+" trick", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.LogMessage(ctx, "", logged("m2", "U-alice", "nice", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.LogReaction(ctx, src("m2"), "U-bob", "👍", true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordDetection(ctx, repertoire.Detection{Channel: general, ThreadID: "m1", QuestionID: "m1", AnswerID: "m2",
		AskerID: "U-bob", AnswererID: "U-alice", Kind: repertoire.Tip, Action: repertoire.ActionSuggested}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readable(t, s), []byte(secret)) {
		t.Fatal("test is blind: the text is not readable before forgetting")
	}
	f, err := s.ForgetUser(ctx, "shell", "U-bob")
	if err != nil || f.Messages != 1 {
		t.Fatalf("forget %+v %v", f, err)
	}
	if bytes.Contains(readable(t, s), []byte(secret)) {
		t.Error("bob's logged text is still readable")
	}
	msgs, _ := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general})
	if len(msgs) != 1 || msgs[0].ID != "m2" || len(msgs[0].Reactions) != 0 {
		t.Errorf("alice's message should stay without bob's reaction: %+v", msgs)
	}
	if _, err := s.DetectionAbout(ctx, general, "m1"); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("the detection about bob's question should be gone: %v", err)
	}
}

func testDetectModesAndDecisions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if m, err := s.DetectModeOf(ctx, general); m != repertoire.DetectSuggest || err != nil {
		t.Fatalf("default mode %q %v", m, err)
	}
	if err := s.SetDetectMode(ctx, general, "loud", "U1"); !errors.Is(err, repertoire.ErrInvalid) {
		t.Fatalf("bad mode: %v", err)
	}
	if err := s.SetDetectMode(ctx, general, repertoire.DetectAuto, "U1"); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.DetectModeOf(ctx, general); m != repertoire.DetectAuto {
		t.Fatalf("mode %q", m)
	}
	d := repertoire.Detection{Channel: general, ThreadID: "q1", QuestionID: "q1", AnswerID: "a1", Kind: repertoire.Solution,
		Score: 4.5, Action: repertoire.ActionSuggested, Reasons: []string{"the conversation opens with a question", "ann answered"}, At: t0}
	id, isNew, err := s.RecordDetection(ctx, d)
	if err != nil || !isNew {
		t.Fatalf("record: %v %v", isNew, err)
	}
	if _, again, err := s.RecordDetection(ctx, d); again || err != nil {
		t.Fatalf("a thread is decided once: %v %v", again, err)
	}
	if err := s.SetDetectionOutcome(ctx, id, "post9", 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.DetectionAbout(ctx, general, "post9")
	if err != nil || got.AnswerID != "a1" || len(got.Reasons) != 2 || got.Kind != repertoire.Solution {
		t.Fatalf("about the suggestion: %+v %v", got, err)
	}
	if err := s.ReviseDetection(ctx, id, repertoire.Tip, 3.5, []string{"the conversation opens with a question", "ann answered", "bob, who asked, confirmed it worked"}); err != nil {
		t.Fatal(err)
	}
	got, err = s.DetectionAbout(ctx, general, "a1")
	if err != nil || got.Kind != repertoire.Tip || got.Score != 3.5 || len(got.Reasons) != 3 || got.SuggestionID != "post9" || got.Action != repertoire.ActionSuggested {
		t.Fatalf("revised: %+v %v", got, err)
	}
	if n, _ := s.SuggestionsSince(ctx, general, t0); n != 1 {
		t.Errorf("suggestions since t0: %d", n)
	}
	if n, _ := s.SuggestionsSince(ctx, general, t0.Add(time.Second)); n != 0 {
		t.Errorf("suggestions after t0: %d", n)
	}
}

func testDocFrequenciesStemLikeTheIndex(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	for i, a := range []string{"Rotate the certificates with certbot", "Certbot renews certificates", "Restart nginx"} {
		p := saveParams(string(rune('a'+i)), a, "U3")
		p.Question = ""
		if _, _, err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	df, total, err := s.DocFrequencies(ctx, []string{"certificate", "nginx", "kubernetes", "the", "\"*"})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || df["certificate"] != 2 || df["nginx"] != 1 || df["kubernetes"] != 0 || df["the"] != 0 {
		t.Errorf("df %v total %d", df, total)
	}
}

func testTermsGoWhenTheirTextChangesOrIsForgotten(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	p := saveParams("m1", "Run certbot renew", "U3")
	p.Tags, p.Terms = []string{"tls"}, []string{"certbot", "rotate"}
	e, _, err := s.Save(ctx, p)
	if err != nil || strings.Join(e.AllTags(), ",") != "tls,certbot,rotate" {
		t.Fatalf("save %+v %v", e, err)
	}
	if _, err := s.EditSource(ctx, "", src("m1"), "Use the ACME client", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if e, _ = s.EntryBySource(ctx, src("m1")); len(e.Terms) != 0 || strings.Join(e.Tags, ",") != "tls" {
		t.Fatalf("after edit: tags %v terms %v", e.Tags, e.Terms)
	}
	if ok, err := s.SetEntryTerms(ctx, e.ID, []string{"acme"}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := s.ForgetUser(ctx, "shell", "U1"); err != nil { // the asker
		t.Fatal(err)
	}
	if e, _ = s.EntryBySource(ctx, src("m1")); len(e.Terms) != 0 || e.Question != "" {
		t.Fatalf("terms from a forgotten question stayed: %+v", e)
	}
}
