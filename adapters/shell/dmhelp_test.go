package shell_test

import (
	"context"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/repertoire"
)

// In a direct message the help says what works there (asking, a private
// note, its digest, web, forget me) without the bot's name, and the
// channel settings (detect, nudges) are refused with where to say them:
// they used to be accepted and confirmed, though they do nothing in a DM.
// A digest set in a DM is kept (it posts the notes kept there). In a
// channel, help and the settings are what they were.
func TestScenarioDirectMessageHelpAndChannelSettings(t *testing.T) {
	w := newWorld(t)
	out := w.play("/as bob", "/dm",
		"help",
		"nudges on",
		"detect auto",
		"digest weekly mon 09:00",
		"@repertoire nudges",
	)
	help := answerTo(out, "bob: help\n")
	for _, want := range []string{"`forget me`", "`web`", "Ask me a question", "in:#channel", "@repertoire help` in one", "`digest weekly mon 09:00"} {
		if !strings.Contains(help, want) {
			t.Errorf("the DM help lacks %q:\n%s", want, help)
		}
	}
	for _, not := range []string{"@repertoire save", "@repertoire digest", "detect suggest", "nudges on|off", "@repertoire forget me"} {
		if strings.Contains(help, not) {
			t.Errorf("the DM help shows the channel form %q:\n%s", not, help)
		}
	}
	for _, said := range []string{"nudges on", "detect auto", "@repertoire nudges"} {
		a := answerTo(out, "bob: "+said+"\n")
		if !strings.Contains(a, "a channel's setting") || strings.Contains(a, "now `auto`") || strings.Contains(a, "Nudges are on") {
			t.Errorf("%q in a DM was not refused with a pointer:\n%s", said, a)
		}
	}
	ctx := context.Background()
	dm := repertoire.Channel{Platform: shell.Name, Space: "local", ID: "dm-bob", Private: true}
	if on, err := w.store.NudgesOn(ctx, dm); err != nil || on {
		t.Errorf("nudges in the DM: %v %v", on, err)
	}
	if mode, err := w.store.DetectModeOf(ctx, dm); err != nil || mode == repertoire.DetectAuto {
		t.Errorf("detection in the DM: %v %v", mode, err)
	}
	if d, err := w.store.GetDigestSchedule(ctx, dm); err != nil || !d.Enabled {
		t.Errorf("the digest set in the DM: %+v %v", d, err)
	}

	out = w.play("/as bob", "@repertoire help", "@repertoire nudges on")
	if a := answerTo(out, "bob: @repertoire help\n"); !strings.Contains(a, "@repertoire save") || !strings.Contains(a, "nudges on|off") {
		t.Errorf("the channel help:\n%s", a)
	}
	if a := answerTo(out, "bob: @repertoire nudges on\n"); !strings.Contains(a, "Nudges are on") {
		t.Errorf("nudges on in a channel:\n%s", a)
	}
}
