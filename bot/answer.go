package bot

import (
	"fmt"
	"math"
	"regexp"
	"strings"
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
	Score     float64 // the answer model's probability that it answers
	Useful    bool    // the model calls it useful (see UsefulReplies)
	Reasons   []string
}

// ChooseAnswer picks, among the replies that follow a question, the one
// that answers it: the reply the answer model (answer_model.go) finds
// likeliest, weighing position and authorship with what the reply says and
// the asker's confirmation (a ✅ or 🙏 on it, or their "thanks, that worked"
// addressed to its author or right after it), plus members' reactions on
// it; the earliest on a tie. Replies by the asker, by bots or to the bot are
// not answers.
func ChooseAnswer(question Message, replies []Message, botName string) AnswerChoice {
	logits := replyLogits(question, replies, botName)
	bestIdx := -1
	for i, z := range logits {
		if !math.IsInf(z, -1) && (bestIdx < 0 || z > logits[bestIdx]) {
			bestIdx = i
		}
	}
	if bestIdx < 0 {
		return AnswerChoice{Index: -1}
	}
	m := replies[bestIdx]
	c := AnswerChoice{Index: bestIdx, Score: 1 / (1 + math.Exp(-logits[bestIdx])), Useful: logits[bestIdx] >= usefulLogit()}
	if confirmedReplies(question, replies, botName)[bestIdx] > 0 {
		c.Confirmed = true
		c.Reasons = append(c.Reasons, "the asker confirmed it worked")
	}
	if c.Endorsed = endorsers(question.Author, m); c.Endorsed > 0 {
		c.Reasons = append(c.Reasons, fmt.Sprintf("%d %s reacted to it", c.Endorsed, plural(c.Endorsed, "member", "members")))
	}
	if c.Substance = Substance(m.Text); len(c.Substance) > 0 {
		c.Reasons = append(c.Reasons, "it has "+strings.Join(c.Substance, " and "))
	}
	first := true
	for _, r := range replies[:bestIdx] {
		if candidate(r, question.Author, botName) {
			first = false
			break
		}
	}
	if first {
		c.Reasons = append(c.Reasons, "it was the first reply")
	}
	return c
}

// Confirmation strengths: how clearly the asker said a reply worked.
const (
	confirmedAfter    = 1 // a confirming message that follows it as the latest answer by someone else
	confirmedExplicit = 2 // a confirming reaction on it, or a confirming message replying to it or naming its author
)

// confirmedReplies marks the replies the asker confirmed, with the
// strength of the confirmation.
func confirmedReplies(question Message, replies []Message, botName string) map[int]int {
	out := map[int]int{}
	asker := question.Author
	for i, m := range replies {
		for _, r := range m.Reactions {
			if r.User.ID == asker.ID && asker.ID != "" && isConfirmEmoji(r.Emoji) {
				out[i] = confirmedExplicit
			}
		}
		if !sameAuthor(m, Message{Author: asker}) || !IsConfirmation(m.Text) {
			continue
		}
		target, strength := -1, confirmedExplicit
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
			strength = confirmedAfter
			for k := i - 1; k >= 0; k-- {
				if candidate(replies[k], asker, botName) {
					target = k
					break
				}
			}
		}
		if target >= 0 {
			out[target] = max(out[target], strength)
		}
	}
	return out
}

// Useful reports whether a reply, on its own, reads as an answer to the
// question (the answer model over a thread of one reply; UsefulReplies
// judges a reply in its thread).
func Useful(question, reply Message, botName string) bool {
	return UsefulReplies(question, []Message{reply}, botName)[0]
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
