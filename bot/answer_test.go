package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

func react(m *bot.Message, who, emoji string) {
	m.Reactions = append(m.Reactions, bot.Reaction{User: user(who), Emoji: bot.Emoji{Unicode: emoji}})
}

func TestChooseAnswer(t *testing.T) {
	q := channel(line{"ann", "How do I make go test stop hanging in CI?", 0})[0]
	t.Run("the one the asker confirmed, not the last or the longest", func(t *testing.T) {
		r := channel(
			line{"bob", "bob: close stdin: `go test < /dev/null`", 1},
			line{"ann", "thanks bob, that worked!", 2},
			line{"cat", "You could also look at the whole CI configuration, the runners, the caches and the timeouts, there are many reasons a job hangs and it is hard to say which one it is without logs.", 3},
		)
		c := bot.ChooseAnswer(q, r, "repertoire")
		if c.Index != 0 || !c.Confirmed {
			t.Errorf("chose %d %+v", c.Index, c)
		}
	})
	t.Run("a confirming reaction by the asker", func(t *testing.T) {
		r := channel(line{"bob", "run it with -count=1", 1}, line{"cat", "use `-timeout 1m` to see where", 2})
		react(&r[0], "ann", "🙏")
		if c := bot.ChooseAnswer(q, r, "repertoire"); c.Index != 0 || !c.Confirmed {
			t.Errorf("chose %+v", c)
		}
	})
	t.Run("the most endorsed beats substance", func(t *testing.T) {
		r := channel(line{"bob", "see https://go.dev/doc/faq", 1}, line{"cat", "it waits for stdin", 2})
		react(&r[1], "dan", "👍")
		react(&r[1], "eve", "🎉")
		if c := bot.ChooseAnswer(q, r, "repertoire"); c.Index != 1 || c.Endorsed != 2 {
			t.Errorf("chose %+v", c)
		}
	})
	t.Run("substance beats chatter; the asker, bots and requests to the bot are not answers", func(t *testing.T) {
		r := channel(
			line{"ann", "anyone?", 1},
			line{"bob", "same here", 2},
			line{"cat", "1. add `-count=1`\n2. close stdin", 3},
			line{"dan", "@repertoire save", 4},
		)
		r = append(r, bot.Message{Ref: bot.MessageRef{ID: "b"}, Author: bot.User{ID: "B", Bot: true}, Text: "```long code```"})
		if c := bot.ChooseAnswer(q, r, "repertoire"); c.Index != 2 {
			t.Errorf("chose %+v", c)
		}
	})
	t.Run("nobody else replied", func(t *testing.T) {
		r := channel(line{"ann", "bump", 1})
		if c := bot.ChooseAnswer(q, r, "repertoire"); c.Index != -1 {
			t.Errorf("chose %+v", c)
		}
	})
}

func TestIsConfirmation(t *testing.T) {
	for text, want := range map[string]bool{
		"thanks, that worked":              true,
		"Solved!":                          true,
		"🙏":                                true,
		"thanks but it still doesn't work": false,
		"no luck, same error":              false,
		"what do you mean?":                false,
	} {
		if got := bot.IsConfirmation(text); got != want {
			t.Errorf("IsConfirmation(%q) = %v", text, got)
		}
	}
}

func TestAssess(t *testing.T) {
	conv := channel(
		line{"ann", "hi all", 0},
		line{"ann", "my docker build fails with no space left on device?", 0},
		line{"bob", "ann: run `docker system prune -a`, it frees the build cache", 1},
		line{"ann", "that did it, thanks!", 3},
	)
	ex := bot.Assess(conv, "repertoire")
	if !ex.Found || ex.Score < bot.DetectThreshold || ex.Answer.Author.Name != "bob" || ex.Kind != repertoire.Solution {
		t.Fatalf("exchange %+v", ex)
	}
	if !strings.Contains(ex.Question.Text, "no space left") || ex.Question.Ref.ID != conv[0].Ref.ID {
		t.Errorf("question %+v", ex.Question)
	}
	reasons := strings.Join(ex.Reasons, "; ")
	for _, want := range []string{"opens with a question", "bob answered", "has code", "confirmed it worked"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons %q lack %q", reasons, want)
		}
	}
	// Without the confirmation the same exchange scores lower (a tip, not a
	// solution); a failure report puts it below the threshold.
	if un := bot.Assess(conv[:3], "repertoire"); un.Score >= ex.Score || un.Kind != repertoire.Tip {
		t.Errorf("unconfirmed %+v, confirmed scored %.1f", un, ex.Score)
	}
	failed := append(conv[:3:3], channel(line{"ann", "still doesn't work", 4})...)
	if ex := bot.Assess(failed, "repertoire"); ex.Score >= bot.DetectThreshold || !strings.Contains(strings.Join(ex.Reasons, ";"), "did not work") {
		t.Errorf("failed exchange %+v", ex)
	}
	if ex := bot.Assess(channel(line{"ann", "deployed v2", 0}, line{"bob", "nice", 1}), "repertoire"); ex.Found {
		t.Errorf("a statement is not a question: %+v", ex)
	}
	how := bot.Assess(channel(line{"ann", "how do we name release branches?", 0}, line{"bob", "release/vX.Y, see https://wiki/x", 1},
		line{"ann", "perfect, thanks", 2}), "repertoire")
	if how.Kind != repertoire.HowWeDo {
		t.Errorf("kind %s", how.Kind)
	}
}

func TestDistinctiveTerms(t *testing.T) {
	text := "How do I rotate the TLS certificate? Run certbot renew, then reload nginx. certbot keeps the certificate in /etc/letsencrypt. #ops"
	// In a repertoire where most entries talk about nginx, nginx does not set this one apart.
	df := map[string]int{"nginx": 40, "certificate": 2, "certbot": 0, "rotate": 5}
	got := bot.DistinctiveTerms(text, df, 50, 3)
	if strings.Join(got, ",") != "certbot,certificate,tls" {
		t.Errorf("terms %v", got)
	}
	if got := bot.DistinctiveTerms("ok thanks, it works", nil, 0, 3); len(got) != 0 {
		t.Errorf("chatter tagged %v", got)
	}
}

// A forum thread in the shape of the SemEval data: the model weighs a
// reply's position with what it says, so the reply that uses the question's
// words beats the first one-liner, and chatter and questions back are not
// useful.
func TestAnswerModelOnAForumThread(t *testing.T) {
	q := channel(line{"ann", "Which bank in Doha is best for a salary account and money transfer?", 0})[0]
	r := channel(
		line{"bob", "lol why?", 1},
		line{"cat", "For a salary account and money transfers I use Commercial Bank in Doha: low fees, and the transfer to India takes a day.", 2},
		line{"dan", "haha bob :)", 3},
		line{"ann", "thanks", 4},
	)
	if c := bot.ChooseAnswer(q, r, "repertoire"); c.Index != 1 {
		t.Errorf("chose %+v", c)
	}
	useful := bot.UsefulReplies(q, r, "repertoire")
	if want := []bool{false, true, false, false}; strings.Join(strings.Fields(fmt.Sprint(useful)), " ") != fmt.Sprint(want) {
		t.Errorf("useful %v, want %v", useful, want)
	}
	if f := bot.AnswerFeatures(q, r, "repertoire"); f[3] != nil || len(f[1]) != bot.NumAnswerFeatures {
		t.Errorf("features: the asker's reply gets none, others %d each: %v", bot.NumAnswerFeatures, f)
	}
}
