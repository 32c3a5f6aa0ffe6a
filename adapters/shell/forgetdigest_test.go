package shell_test

import (
	"context"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/repertoire"
)

// A member who set a digest of their notes in their DM with the bot and
// then asked to be forgotten gets no more of it: the schedule went on
// posting "a quiet period here" to them every day, set by their ID. A
// channel's schedule they set stays the channel's, without their name.
func TestScenarioForgetMeStopsTheirDirectDigest(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin",
		"/dm", "digest daily 17:30",
		"/channel ops", "@repertoire digest weekly mon 09:00",
		"/channel general", "@repertoire forget me", "@repertoire forget me",
		"/dm", "digest status",
	)
	if !strings.Contains(answerTo(out, "digest daily 17:30"), "daily at 17:30") {
		t.Fatalf("the DM digest was not set:\n%s", out)
	}
	if s := answerTo(out, "digest status"); strings.Contains(s, "daily at 17:30") || !strings.Contains(s, "off") {
		t.Errorf("after forget me, the DM's digest still runs:\n%s", s)
	}
	ctx := context.Background()
	dm, err := w.store.GetDigestSchedule(ctx, repertoire.Channel{Platform: shell.Name, Space: "local", ID: "dm-erin"})
	if err == nil && (dm.Enabled || dm.UpdatedBy != "") {
		t.Errorf("the DM's schedule after forget me: %+v", dm)
	}
	ops, err := w.store.GetDigestSchedule(ctx, repertoire.Channel{Platform: shell.Name, Space: "local", ID: "ops"})
	if err != nil || !ops.Enabled || ops.UpdatedBy != "" {
		t.Errorf("#ops's schedule after forget me: %+v %v, want it on, naming nobody", ops, err)
	}
}
