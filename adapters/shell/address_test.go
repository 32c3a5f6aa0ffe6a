package shell_test

import (
	"strings"
	"testing"
)

// In chat a question often opens by addressing someone: "dave: how do I …".
// The name, a rare word, weighed so much in a nudge's confidence that an
// addressed question was never nudged, however well an entry answered it.
// Nudges search without a leading address to someone who talks in the
// channel, or a platform's mention of a member; a first word that names
// nobody stays part of the question.
func TestScenarioAddressedQuestionFindsItsAnswer(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I rotate the staging TLS certificate?",
		"/as dave", "/reply 1 run certbot renew on the staging proxy, then reload nginx",
		"/as carol", "/react 2",
		"/as bob", "heads up: dave is on call this week, ask dave before any deploy to staging #oncall",
		"/as carol", "/react 3",
		"/as erin", "@repertoire nudges on",
		"dave: how do I rotate the staging certificate?",
		"certbot: how do I rotate the staging certificate?",
		"bob: how do I rotate the staging certificate?",
		"<@U0123ABC> how do I rotate the staging certificate?",
	)
	nudge := answerTo(out, "dave: how do I rotate the staging certificate?")
	if !strings.Contains(nudge, "answered before") || !strings.Contains(nudge, "certbot renew") {
		t.Errorf("no nudge with the certificate's entry for the addressed question:\n%s", out)
	}
	// "certbot" names nobody here: it is part of the question and, being
	// in the entry, makes the nudge no less sure.
	if a := answerTo(out, "certbot: how do I rotate"); !strings.Contains(a, "certbot renew") {
		t.Errorf("an unknown first word changed the nudge:\n%s", out)
	}
	// "bob" talks here but is not in the certificate's entry: addressed to
	// him, the question is nudged with that entry in his thread too.
	if a := answerTo(out, "bob: how do I rotate"); !strings.Contains(a, "answered before") || !strings.Contains(a, "certbot renew") {
		t.Errorf("no nudge for the question addressed to bob:\n%s", out)
	}
	// A platform's mention (Slack's <@U…>, as its adapter passes it on) is
	// an address whoever it names.
	if a := answerTo(out, "<@U0123ABC> how do I rotate"); !strings.Contains(a, "answered before") || !strings.Contains(a, "certbot renew") {
		t.Errorf("no nudge for the question that opens with a mention:\n%s", out)
	}
}

// "Quick question:" or a greeting in front of a question ("hi dave, …")
// blocked its nudge: "quick" and "question", or the name after "hi", are
// rare words the entry does not hold, and weighed as much as the
// question's own. Nudges search without them.
func TestScenarioGreetedQuestionIsNudged(t *testing.T) {
	w := newWorld(t)
	w.play(
		"/as alice", "How do I clear the npm cache when installs fail with EINTEGRITY?",
		"/as bob", "/reply 1 run npm cache clean --force, then delete node_modules and install again",
		"/as carol", "/react 2",
		"/as dave", "@repertoire nudges on",
	)
	out := w.play(
		"/as erin",
		"Quick question: how do I clear the npm cache when installs fail with EINTEGRITY?",
		"hi bob, how do I clear the npm cache when installs fail with EINTEGRITY?",
		"Hey folks! how do I clear the npm cache when installs fail with EINTEGRITY?",
		"how do I clear the npm cache when installs fail with EINTEGRITY?",
	)
	for _, q := range []string{"Quick question: how", "hi bob, how", "Hey folks! how", "erin: how"} {
		if a := answerTo(out, q); !strings.Contains(a, "answered before") || !strings.Contains(a, "npm cache clean") {
			t.Errorf("%q… was not nudged:\n%s", q, out)
		}
	}
}
