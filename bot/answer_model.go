package bot

import (
	"math"
	"regexp"
	"strings"
)

// The answer model: which reply of a thread answers its question. Position
// and authorship carry most of the signal (the first reply by someone else
// is right more often than any single content rule), so the model weighs
// them together with what the reply says: its words in common with the
// question, its length, links and code, the asker's thanks after it, and how
// its author behaves in the thread. It is a logistic regression over the
// features below; the weights in answer_weights.go are fitted by
//
//	go run ./cmd/detect-eval -semeval FILE -train-answer bot/answer_weights.go
//
// (deterministic: Newton's method, the L2 penalty chosen by cross-validation).

// AnswerFeatureNames names the model's features, in order.
var AnswerFeatureNames = [...]string{
	"first",           // the first reply by someone other than the asker
	"rank",            // log(1 + its rank among such replies)
	"last",            // the last such reply
	"words",           // log(1 + words)
	"overlap",         // share of the question's words the reply uses
	"cosine",          // cosine of the two word-count vectors
	"link",            // a link
	"steps",           // two or more numbered or bulleted lines
	"asks_back",       // a short reply ending with '?'
	"question_mark",   // a '?' anywhere
	"asker_after",     // the asker spoke after it
	"author_replies",  // log(number of replies by its author in the thread)
	"author_first",    // its author's first reply in the thread
	"chatter",         // lol, haha, :) and thanks by someone who did not ask
	"addresses_other", // it names a participant who is not the asker
	"digits",          // a number (a version, a port, a price, a phone)
	"short",           // four words or fewer
	"advice",          // advice words: try, check, should, recommend…
	"you",             // speaks to the asker: you, your
	"centrality",      // its highest cosine with another reply
	"relative_rank",   // its rank over the number of such replies
	"thanked_after",   // the asker's thanks follow it, naming nobody
}

// NumAnswerFeatures is the length of a feature vector.
const NumAnswerFeatures = len(AnswerFeatureNames)

var (
	chatterText = regexp.MustCompile(`(?i)(\b(lol|lmao|haha\w*|hehe\w*|rofl|thanks?|thank you|thx)\b|[:;]-?[)(dp]\b|😂|😀|😄)`)
	digitsText  = regexp.MustCompile(`\d`)
	nonAnswer   = regexp.MustCompile(`(?i)^\W*(no idea|dunno|i don'?t know|not sure|no clue|same here|me too|same problem|\+1)\b`)
	adviceText  = regexp.MustCompile(`(?i)\b(try|check|call|visit|contact|go to|ask|should|must|need to|have to|recommend|suggest|best|use|install|run|set|make sure|you can|you could)\b`)
	youText     = regexp.MustCompile(`(?i)\b(you|your|you're|u|ur)\b`)
)

// AnswerFeatures returns the feature vector of every reply, nil for the
// replies that cannot answer (the asker's, bots', requests to the bot).
func AnswerFeatures(question Message, replies []Message, botName string) [][]float64 {
	out := make([][]float64, len(replies))
	asker := question.Author
	confirmed := confirmedReplies(question, replies, botName)
	qWords := wordCounts(question.Text)
	var cands []int
	authorReplies := map[string]int{}
	for i, m := range replies {
		if candidate(m, asker, botName) {
			cands = append(cands, i)
			authorReplies[authorKey(m.Author)]++
		}
	}
	lastAsker := -1
	for i, m := range replies {
		if sameAuthor(m, Message{Author: asker}) {
			lastAsker = i
		}
	}
	seenAuthor := map[string]bool{}
	counts := make([]map[string]int, len(replies))
	for _, i := range cands {
		counts[i] = wordCounts(replies[i].Text)
	}
	for rank, i := range cands {
		m := replies[i]
		text := strings.TrimSpace(m.Text)
		rWords := counts[i]
		f := make([]float64, NumAnswerFeatures)
		f[0] = b2f(rank == 0)
		f[1] = math.Log1p(float64(rank))
		f[2] = b2f(rank == len(cands)-1)
		f[3] = math.Log1p(float64(len(strings.Fields(text))))
		f[4] = shareOf(qWords, rWords)
		f[5] = cosine(qWords, rWords)
		f[6] = b2f(urlPattern.MatchString(text))
		f[7] = b2f(len(stepLines.FindAllString(text, -1)) >= 2)
		f[8] = b2f(len(text) < 80 && strings.HasSuffix(text, "?"))
		f[9] = b2f(strings.Contains(text, "?"))
		f[10] = b2f(lastAsker > i)
		key := authorKey(m.Author)
		f[11] = math.Log(float64(authorReplies[key]))
		f[12] = b2f(!seenAuthor[key])
		seenAuthor[key] = true
		f[13] = b2f(chatterText.MatchString(text))
		f[14] = b2f(addressesOther(text, asker, replies, i))
		f[15] = b2f(digitsText.MatchString(urlPattern.ReplaceAllString(text, "")))
		f[16] = b2f(len(strings.Fields(text)) <= 4)
		f[17] = b2f(adviceText.MatchString(text))
		f[18] = b2f(youText.MatchString(text))
		for _, k := range cands {
			if k != i && !sameAuthor(replies[k], m) {
				f[19] = math.Max(f[19], cosine(rWords, counts[k]))
			}
		}
		if len(cands) > 1 {
			f[20] = float64(rank) / float64(len(cands)-1)
		}
		f[21] = b2f(confirmed[i] == confirmedAfter)
		out[i] = f
	}
	return out
}

// AnswerLogit is the model's log-odds that a reply with features f answers
// its question.
func AnswerLogit(f []float64) float64 {
	w := answerWeights()
	z := w[0]
	for k, x := range f {
		z += w[k+1] * x
	}
	return z
}

// Priors: what an asker's confirmation and the chat signals the training
// data (a forum) never shows add to a reply's log-odds. Not learned, set by
// hand so that the asker's "thanks, that worked" or ✅ and two members'
// reactions outweigh position, and code or steps outweigh a bare first
// reply. Training holds them fixed (an offset), so the learned weights are
// fitted around them.
const (
	confirmLogit     = 2.5 // the asker confirmed it explicitly (see confirmedReplies)
	endorsementLogit = 1.2 // per member reacting, up to three
	codeLogit        = 1.5 // inline or fenced code
	stepsLogit       = 1.0 // numbered or bulleted steps
	directLogit      = 1.0 // a platform reply to the question, or "@asker"/"asker:" opening it
	nonAnswerLogit   = -3  // "no idea", "same here", "+1": says there is no answer
)

// AnswerPriors returns the hand-set part of every reply's log-odds (see
// confirmLogit); 0 for replies that cannot answer.
func AnswerPriors(question Message, replies []Message, botName string) []float64 {
	out := make([]float64, len(replies))
	confirmed := confirmedReplies(question, replies, botName)
	for i, m := range replies {
		if !candidate(m, question.Author, botName) {
			continue
		}
		z := endorsementLogit * float64(min(endorsers(question.Author, m), 3))
		if confirmed[i] == confirmedExplicit {
			z += confirmLogit
		}
		if codeFence.MatchString(m.Text) {
			z += codeLogit
		}
		if len(stepLines.FindAllString(m.Text, -1)) >= 2 {
			z += stepsLogit
		}
		if directReply(question, m) {
			z += directLogit
		}
		if nonAnswer.MatchString(m.Text) {
			z += nonAnswerLogit
		}
		out[i] = z
	}
	return out
}

// replyLogits scores every reply; non-candidates get -Inf.
func replyLogits(question Message, replies []Message, botName string) []float64 {
	feats := AnswerFeatures(question, replies, botName)
	priors := AnswerPriors(question, replies, botName)
	out := make([]float64, len(replies))
	for i, f := range feats {
		if f == nil {
			out[i] = math.Inf(-1)
			continue
		}
		out[i] = AnswerLogit(f) + priors[i]
	}
	return out
}

// UsefulReplies reports, for each reply of a thread, whether it reads as an
// answer to the question (see Useful).
func UsefulReplies(question Message, replies []Message, botName string) []bool {
	out := make([]bool, len(replies))
	for i, z := range replyLogits(question, replies, botName) {
		out[i] = z >= usefulLogit()
	}
	return out
}

func endorsers(asker User, m Message) int {
	n := 0
	for _, r := range m.Reactions {
		if r.User.ID != m.Author.ID && r.User.ID != asker.ID {
			n++
		}
	}
	return n
}

func authorKey(u User) string {
	if u.ID != "" {
		return "id:" + u.ID
	}
	return "name:" + u.Name
}

// addressesOther reports whether reply i names a participant of the thread
// other than the asker and its own author.
func addressesOther(text string, asker User, replies []Message, i int) bool {
	seen := map[string]bool{}
	for k, m := range replies {
		key := authorKey(m.Author)
		if k == i || seen[key] || sameAuthor(m, Message{Author: asker}) || sameAuthor(m, replies[i]) {
			continue
		}
		seen[key] = true
		if addresses(text, m.Author) {
			return true
		}
	}
	return false
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// wordCounts counts a text's content words, each cut to its first five
// letters (a crude stem: "installing" and "installation" meet).
func wordCounts(text string) map[string]int {
	return countWords(appendWords(nil, text))
}

// shareOf is the share of a's distinct words that b holds.
func shareOf(a, b map[string]int) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] > 0 {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

func cosine(a, b map[string]int) float64 {
	var dot, na, nb float64
	for w, x := range a {
		na += float64(x * x)
		dot += float64(x * b[w])
	}
	for _, y := range b {
		nb += float64(y * y)
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

var answerStopWords = setOf(`a an and are as at be been but by can could do does did for from had has have he her
him his how i if in into is it its just me my no not of on or our she so some than that the their them then there
these they this to too up us was we were what when where which who why will with would you your yours i'm it's
don't can't im dont any anyone anybody all also get got like know need want please hi hello`)

// directReply reports whether m is addressed to the asker the way chat
// does it: a platform reply to the question, a mention, or the asker's
// name opening it ("@ann", "ann:").
func directReply(question, m Message) bool {
	if m.ReplyTo != "" && m.ReplyTo == question.Ref.ID {
		return true
	}
	u := question.Author
	if u.ID != "" && strings.Contains(m.Text, "<@"+u.ID) {
		return true
	}
	name := strings.ToLower(u.Name)
	first, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(m.Text)), " ")
	return name != "" && (first == "@"+name || first == "@"+name+":" || first == "@"+name+"," || first == name+":" || first == name+",")
}
