package bot

import (
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

func TestForgottenReplyNamesWhatThereWas(t *testing.T) {
	for _, c := range []struct {
		f    repertoire.Forgotten
		want string
	}{
		{repertoire.Forgotten{}, "Done: I had nothing of yours to remove. Nothing of yours is in the repertoire."},
		{repertoire.Forgotten{Questions: 1, Messages: 2},
			"Done: I removed the question you asked in 1 entry (its answer stays) and what I logged of 2 messages. Nothing of yours is left in the repertoire."},
		{repertoire.Forgotten{Entries: 2, Questions: 3, Saves: 1, Votes: 4, OpenQuestions: 1, Feedback: 2, Messages: 1},
			"Done: I removed 2 entries you wrote, the questions you asked in 3 entries (their answers stay), 1 save, 4 votes, " +
				"1 open question, 2 ratings of my answers and what I logged of 1 message. Nothing of yours is left in the repertoire."},
	} {
		if got := forgottenReply(c.f); got != c.want {
			t.Errorf("%+v:\n got %s\nwant %s", c.f, got, c.want)
		}
	}
}
