package bot

import (
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// forgottenReply says what a forget removed: only what there was, each
// in words (the question a member asked in someone else's entry is named
// as such: its answer stays), or that there was nothing.
func forgottenReply(f repertoire.Forgotten) string {
	count := func(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }
	var parts []string
	if f.Entries > 0 {
		parts = append(parts, count(f.Entries, "entry", "entries")+" you wrote")
	}
	if f.Questions > 0 {
		parts = append(parts, fmt.Sprintf("the %s you asked in %s (%s)", plural(f.Questions, "question", "questions"),
			count(f.Questions, "entry", "entries"), plural(f.Questions, "its answer stays", "their answers stay")))
	}
	for _, c := range []struct {
		n         int
		one, many string
	}{{f.Saves, "save", "saves"}, {f.Votes, "vote", "votes"}, {f.OpenQuestions, "open question", "open questions"},
		{f.Feedback, "rating of my answers", "ratings of my answers"}} {
		if c.n > 0 {
			parts = append(parts, count(c.n, c.one, c.many))
		}
	}
	if f.Messages > 0 {
		parts = append(parts, "what I logged of "+count(f.Messages, "message", "messages"))
	}
	if len(parts) == 0 {
		return "Done: I had nothing of yours to remove. Nothing of yours is in the repertoire."
	}
	return "Done: I removed " + joinWords(parts, "and") + ". Nothing of yours is left in the repertoire."
}
