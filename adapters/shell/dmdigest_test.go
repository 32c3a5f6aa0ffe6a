package shell_test

import (
	"strings"
	"testing"
)

// "digest status" in a DM said it gets the default weekly digest, with a
// next date, though DMs get none unless a schedule is set in them. It now
// says so and how to set one; once set, the status is the schedule's. A
// channel's status still names the default.
func TestScenarioDigestStatusInADirectMessage(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as carol", "@repertoire digest status",
		"/dm", "digest status",
		"digest weekly mon 09:00",
		"digest status",
	)
	if a := answerTo(out, "#general carol: @repertoire digest status"); !strings.Contains(a, "(the default)") {
		t.Errorf("the channel's status:\n%s", a)
	}
	dm := strings.Split(out, "#dm-carol carol: digest status")
	if len(dm) != 3 {
		t.Fatalf("two statuses in the DM expected:\n%s", out)
	}
	first := answerTo("x"+dm[1], "x")
	if strings.Contains(first, "(the default)") || strings.Contains(first, "Next:") || !strings.Contains(first, "No digest comes here") {
		t.Errorf("the DM's status before a schedule:\n%s", first)
	}
	if second := answerTo("x"+dm[2], "x"); !strings.Contains(second, "weekly on Monday at 09:00") || strings.Contains(second, "No digest comes here") {
		t.Errorf("the DM's status after a schedule:\n%s", second)
	}
}
