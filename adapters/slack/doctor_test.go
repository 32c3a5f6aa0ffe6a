package slack_test

import (
	"slices"
	"testing"

	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
)

// The loopback Slack grants what the manifest asks for, so a good set-up
// over it is a good set-up for `repertoire doctor`.
func TestFakeGrantsTheManifestScopes(t *testing.T) {
	want := slack.ManifestScopes()
	got := slices.Sorted(slices.Values(slacktest.DefaultScopes))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("slacktest.DefaultScopes = %v, manifest.json asks for %v", got, want)
	}
}
