package slack_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestCatchUpLeavesAForgottenSaverForgotten: U3 saves U2's tip with 💡,
// then asks to be forgotten; the 💡 stays on Slack. A catch-up pass (a
// restart within its window) reads it back from the history, and must not
// make U3 the tip's saver again: the reaction was made before the forget.
func TestCatchUpLeavesAForgottenSaverForgotten(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	ctx := context.Background()
	p := startProcess(t, fake, filepath.Join(t.TempDir(), "repertoire.db"))
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	tip, ev := fake.Say("C1", "U2", "Tip: pin the driver to 1.4 until the fix lands", "")
	fake.Event(ev)
	fake.Event(fake.React("C1", tip, "U3", "bulb"))
	await(t, "the capture", func() bool {
		e, ok := p.entry(fake, "C1", tip)
		return ok && len(e.Savers) == 1 && e.Savers[0].ID == "U3"
	})
	for range 2 { // asked, then confirmed
		_, mev := fake.Mention("C1", "U3", "forget me", "")
		fake.Event(mev)
	}
	// forget me's answers are whispered to U3 (chat.postEphemeral).
	whispered := func() []string {
		var said []string
		for _, f := range fake.Calls("chat.postEphemeral") {
			said = append(said, f.Get("user")+": "+f.Get("text"))
		}
		return said
	}
	await(t, "the forget and its answer", func() bool {
		e, ok := p.entry(fake, "C1", tip)
		ws := whispered()
		return ok && len(e.Savers) == 0 && len(ws) == 2 && strings.HasPrefix(ws[1], "U3: ") && strings.Contains(ws[1], "Nothing of yours")
	})
	p.catchup.Wait()
	said, whispers := len(fake.BotMessages("C1")), len(whispered())
	st, err := p.catchup.Run(ctx, p.a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added == 0 {
		t.Fatalf("test is blind: catch-up found no reaction to add: %+v", st)
	}
	// Catch-up's events go through the inbox: wait until they are applied.
	await(t, "catch-up applied", func() bool {
		n, _, err := p.store.InboxDepth(ctx)
		return err == nil && n == 0
	})
	if later := fake.BotMessages("C1")[said:]; len(later) != 0 || len(whispered()) != whispers {
		t.Errorf("catch-up answered U3's forget me again: %+v %q", later, whispered()[whispers:])
	}
	if e, ok := p.entry(fake, "C1", tip); !ok || len(e.Savers) != 0 || e.Votes != 0 {
		t.Errorf("after catch-up, the tip: %+v (kept %v), want it without U3", e, ok)
	}
	lm, err := p.store.LoggedMessageBySource(ctx, repertoire.Source{Platform: "slack", Space: fake.Team, Channel: "C1", Message: tip})
	if err != nil {
		t.Fatal(err)
	}
	if len(lm.Reactions) != 0 {
		t.Errorf("after catch-up, the log holds reactions %+v, want none of U3's", lm.Reactions)
	}
}
