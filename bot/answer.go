package bot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// Choosing the answer of an exchange, and judging whether a reply is one.
// The same rules serve reaction capture, the save command and detection, so
// a member and the detector agree on what the answer of a thread is.

var (
	urlPattern = regexp.MustCompile(`https?://\S+`)
	inlineCode = regexp.MustCompile("```[\\s\\S]*?```|`[^`\n]+`")
	codeFence  = regexp.MustCompile("```|`[^`\n]+`")
	stepLines  = regexp.MustCompile(`(?m)^\s*(\d+[.)]|[-*•])\s`)

	confirmText = regexp.MustCompile(`(?i)\b(thanks?|thank you|thx|ty|cheers|that (did it|worked|works|helped|fixed it)|it works|(it|this) worked|works now|working now|solved|fixed|got it|perfect|awesome|great|brilliant|appreciated?)\b`)
	howWeDo     = regexp.MustCompile(`(?i)\b(how do we|how does our|how should we|what('s| is) our|do we have a|our (process|convention|policy|way|standard)|the team('s)? (process|convention|way))\b`)
	negatedText = regexp.MustCompile(`(?i)\b(doesn'?t|does not|didn'?t|did not|not|still|no longer|won'?t|can'?t)\b.{0,20}\b(work|working|worked|help|helped|fix|fixed|solve|solved)\b|\bsame (error|problem|issue)\b|\bno luck\b`)
)

// confirmEmoji are the reactions by which an asker says an answer worked.
var confirmEmoji = setOf("✅ 🙏 👍 ✔️ ✔ 🎉 white_check_mark heavy_check_mark pray +1 thumbsup raised_hands tada")

func isConfirmEmoji(e Emoji) bool {
	return confirmEmoji[strings.TrimSuffix(e.Unicode, "\uFE0F")] || confirmEmoji[e.Unicode] || confirmEmoji[normalizeShortcode(e.Shortcode)]
}

// IsConfirmation reports whether an asker's message says an answer worked
// ("thanks, that worked", "solved", ✅, 🙏) and not that it did not.
func IsConfirmation(text string) bool {
	t := strings.TrimSpace(text)
	if negatedText.MatchString(t) {
		return false
	}
	if confirmText.MatchString(t) {
		return true
	}
	for _, e := range []string{"✅", "🙏", "👍", "✔"} {
		if strings.Contains(t, e) {
			return true
		}
	}
	return false
}

// Substance names what makes a reply more than chatter: code, a link,
// steps, or detail. Empty when there is none.
func Substance(text string) []string {
	var out []string
	if codeFence.MatchString(text) {
		out = append(out, "code")
	}
	if urlPattern.MatchString(text) {
		out = append(out, "a link")
	}
	if len(stepLines.FindAllString(text, -1)) >= 2 {
		out = append(out, "steps")
	}
	if len(out) == 0 && len(strings.Fields(text)) >= 25 {
		out = append(out, "detail")
	}
	return out
}

// candidate reports whether a reply can be an answer to the asker's question.
func candidate(m Message, asker User, botName string) bool {
	return !m.Author.Bot && !sameAuthor(m, Message{Author: asker}) && strings.TrimSpace(m.Text) != "" &&
		!strings.Contains(strings.ToLower(m.Text), "@"+strings.ToLower(botName))
}

// AnswerChoice is the reply chosen as the answer and why.
type AnswerChoice struct {
	Index     int // into the replies given; -1 when none qualifies
	Confirmed bool
	Endorsed  int // reactions by others than its author
	Substance []string
	Score     float64
	Reasons   []string
}

// ChooseAnswer picks, among the replies that follow a question, the one
// that answers it: the one the asker confirmed (a ✅ or 🙏 on it, or their
// "thanks, that worked" addressed to its author or right after it), then the
// most endorsed, then the one with substance (code, links, steps, detail)
// and words of the question, the earliest on a tie. Replies by the asker, by
// bots or to the bot are not answers.
func ChooseAnswer(question Message, replies []Message, botName string) AnswerChoice {
	best := AnswerChoice{Index: -1, Score: -1}
	asker := question.Author
	confirmedBy := confirmedReplies(question, replies, botName)
	qTerms := repertoire.Terms(question.Text)
	for i, m := range replies {
		if !candidate(m, asker, botName) {
			continue
		}
		c := AnswerChoice{Index: i}
		if confirmedBy[i] {
			c.Confirmed = true
			c.Score += 3
			c.Reasons = append(c.Reasons, "the asker confirmed it worked")
		}
		for _, r := range m.Reactions {
			if r.User.ID != m.Author.ID && r.User.ID != asker.ID {
				c.Endorsed++
			}
		}
		if c.Endorsed > 0 {
			c.Score += float64(min(c.Endorsed, 3))
			c.Reasons = append(c.Reasons, fmt.Sprintf("%d %s reacted to it", c.Endorsed, plural(c.Endorsed, "member", "members")))
		}
		if c.Substance = Substance(m.Text); len(c.Substance) > 0 {
			c.Score += 1.5
			c.Reasons = append(c.Reasons, "it has "+strings.Join(c.Substance, " and "))
		}
		c.Score += min(float64(len(m.Text))/400, 1)
		if share := overlap(qTerms, m.Text); share > 0 {
			c.Score += 0.5 * share
		}
		if len(m.Text) < 80 && strings.HasSuffix(strings.TrimSpace(m.Text), "?") {
			c.Score -= 0.5 // a question back is not yet an answer
		}
		if c.Score > best.Score {
			best = c
		}
	}
	if best.Index < 0 {
		return AnswerChoice{Index: -1}
	}
	return best
}

// confirmedReplies marks the replies the asker confirmed: by a confirming
// reaction, or by a confirming message that replies to it, addresses its
// author, or else follows it as the latest answer by someone else.
func confirmedReplies(question Message, replies []Message, botName string) map[int]bool {
	out := map[int]bool{}
	asker := question.Author
	for i, m := range replies {
		for _, r := range m.Reactions {
			if r.User.ID == asker.ID && asker.ID != "" && isConfirmEmoji(r.Emoji) {
				out[i] = true
			}
		}
		if !sameAuthor(m, Message{Author: asker}) || !IsConfirmation(m.Text) {
			continue
		}
		target := -1
		for k := i - 1; k >= 0; k-- {
			if !candidate(replies[k], asker, botName) {
				continue
			}
			if m.ReplyTo != "" && replies[k].Ref.ID == m.ReplyTo || addresses(m.Text, replies[k].Author) {
				target = k
				break
			}
		}
		if target < 0 {
			for k := i - 1; k >= 0; k-- {
				if candidate(replies[k], asker, botName) {
					target = k
					break
				}
			}
		}
		if target >= 0 {
			out[target] = true
		}
	}
	return out
}

// overlap is the share of the question's words that the reply uses.
func overlap(qTerms []string, text string) float64 {
	if len(qTerms) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, t := range repertoire.Terms(text) {
		have[t] = true
	}
	n := 0
	for _, t := range qTerms {
		if have[t] {
			n++
		}
	}
	return float64(n) / float64(len(qTerms))
}

// Useful reports whether a reply, on its own, reads as an answer to the
// question: by someone else, and with substance or the question's words,
// not a short question back.
func Useful(question, reply Message, botName string) bool {
	if !candidate(reply, question.Author, botName) {
		return false
	}
	text := strings.TrimSpace(reply.Text)
	if len(text) < 80 && strings.HasSuffix(text, "?") {
		return false
	}
	return len(Substance(text)) > 0 || len(strings.Fields(text)) >= 12 || overlap(repertoire.Terms(question.Text), text) >= 0.25
}

// BestReply picks the reply of a thread that answers its opening question
// (see ChooseAnswer). The command's own message is not an answer. It reports
// false when no reply qualifies.
func BestReply(thread []Message, commandID, botName string) (Message, bool) {
	if len(thread) < 2 {
		return Message{}, false
	}
	var replies []Message
	for _, m := range thread[1:] {
		if m.Ref.ID != commandID || commandID == "" {
			replies = append(replies, m)
		}
	}
	c := ChooseAnswer(thread[0], replies, botName)
	if c.Index < 0 {
		return Message{}, false
	}
	return replies[c.Index], true
}
