package bot

import (
	"strings"
	"time"
	"unicode"
)

// Conversation assembly: which earlier message each message answers. Where
// the platform says (a thread, a reply) that is the answer. In unthreaded
// channels several conversations interleave, so a heuristic decides, in this
// order: a quote of an earlier message; a member addressed by name ("ann:",
// "@ann", "<@U1>"); the latest message that addressed the author; the
// author's own message just before (a thought continued over several lines);
// a question addressed to nobody opens a conversation; anything else follows
// the message just before it.

// linkWindow bounds how far back the heuristic looks: chat moves on.
const (
	linkWindowMessages = 50
	linkWindowTime     = 24 * time.Hour
	continuationGap    = 2 * time.Minute
)

// ReplyLinks returns, for each message (oldest first), the index of the
// earlier message it answers, or its own index when it opens a conversation.
func ReplyLinks(msgs []Message) []int {
	links := make([]int, len(msgs))
	byID := make(map[string]int, len(msgs))
	for i, m := range msgs {
		links[i] = linkOf(msgs, i, byID)
		if m.Ref.ID != "" {
			byID[m.Ref.ID] = i
		}
	}
	return links
}

func linkOf(msgs []Message, i int, byID map[string]int) int {
	m := msgs[i]
	if m.ReplyTo != "" {
		if j, ok := byID[m.ReplyTo]; ok {
			return j
		}
	}
	inThread := m.Ref.Thread != "" && m.Ref.Thread != m.Ref.ID
	if inThread {
		root, ok := byID[m.Ref.Thread]
		if !ok {
			return i
		}
		// Inside a thread: the addressed member's latest reply, else the opening.
		if j := addressedMessage(msgs, i, root, func(k int) bool { return k == root || msgs[k].Ref.Thread == m.Ref.Thread }); j >= 0 {
			return j
		}
		return root
	}
	// An unthreaded channel (or the top level of a threaded one): thread
	// replies are not candidates.
	start := max(0, i-linkWindowMessages)
	for start < i && !m.Time.IsZero() && !msgs[start].Time.IsZero() && m.Time.Sub(msgs[start].Time) > linkWindowTime {
		start++
	}
	topLevel := func(k int) bool {
		t := msgs[k].Ref.Thread
		return t == "" || t == msgs[k].Ref.ID
	}
	if j := quotedMessage(msgs, i, start, topLevel); j >= 0 {
		return j
	}
	if j := addressedMessage(msgs, i, start, topLevel); j >= 0 {
		return j
	}
	lastOwn, lastToMe := -1, -1
	for k := i - 1; k >= start; k-- {
		if !topLevel(k) {
			continue
		}
		if lastOwn < 0 && sameAuthor(msgs[k], m) {
			lastOwn = k
		}
		if lastToMe < 0 && !sameAuthor(msgs[k], m) && addresses(msgs[k].Text, m.Author) {
			lastToMe = k
		}
	}
	switch {
	case lastToMe > lastOwn:
		return lastToMe
	case lastOwn >= 0 && closeTogether(msgs, lastOwn, i):
		return lastOwn
	case IsQuestion(m.Text) || isGreeting(m.Text):
		return i
	}
	for k := i - 1; k >= start; k-- {
		if topLevel(k) {
			return k
		}
	}
	return i
}

// closeTogether reports whether message j follows k within a couple of
// minutes and at most two messages of others.
func closeTogether(msgs []Message, k, j int) bool {
	if j-k > 3 {
		return false
	}
	return msgs[j].Time.IsZero() || msgs[k].Time.IsZero() || msgs[j].Time.Sub(msgs[k].Time) <= continuationGap
}

func sameAuthor(a, b Message) bool {
	return a.Author.ID != "" && a.Author.ID == b.Author.ID || a.Author.ID == "" && a.Author.Name != "" && a.Author.Name == b.Author.Name
}

// quotedMessage finds the latest earlier message that message i quotes
// ("> text" lines).
func quotedMessage(msgs []Message, i, start int, ok func(int) bool) int {
	var quote []string
	for _, line := range strings.Split(msgs[i].Text, "\n") {
		if q, found := strings.CutPrefix(strings.TrimSpace(line), ">"); found && len(strings.TrimSpace(q)) >= 8 {
			quote = append(quote, strings.ToLower(strings.TrimSpace(q)))
		}
	}
	if len(quote) == 0 {
		return -1
	}
	for k := i - 1; k >= start; k-- {
		if !ok(k) {
			continue
		}
		text := strings.ToLower(msgs[k].Text)
		for _, q := range quote {
			if strings.Contains(text, q) {
				return k
			}
		}
	}
	return -1
}

// addressedMessage finds the latest earlier message (from index start) by a
// member that message i addresses by name.
func addressedMessage(msgs []Message, i, start int, ok func(int) bool) int {
	m := msgs[i]
	for k := i - 1; k >= start; k-- {
		if !ok(k) || sameAuthor(msgs[k], m) {
			continue
		}
		if addresses(m.Text, msgs[k].Author) {
			// Prefer the addressee's latest message: k is the latest by them.
			return k
		}
	}
	return -1
}

// addresses reports whether text names the member: "@name", "<@ID>", or the
// name as a word at the start ("ann: try…", "ann, …") or anywhere (names of
// three characters or more).
func addresses(text string, u User) bool {
	if u.ID != "" && strings.Contains(text, "<@"+u.ID) {
		return true
	}
	name := strings.ToLower(u.Name)
	if name == "" {
		return false
	}
	words := strings.Fields(strings.ToLower(text))
	for n, w := range words {
		at := strings.HasPrefix(w, "@")
		w = strings.TrimLeft(w, "@")
		trimmed := strings.TrimRightFunc(w, func(r rune) bool { return strings.ContainsRune(":,.!?;)", r) })
		if trimmed != name && w != name {
			continue
		}
		if at || n == 0 || len([]rune(name)) >= 3 {
			return true
		}
	}
	return false
}

// Conversations groups messages by the conversation they belong to, given
// their reply links: each group is in message order, its opening first.
func Conversations(msgs []Message, links []int) [][]Message {
	root := make([]int, len(msgs))
	order := []int{}
	groups := map[int][]Message{}
	for i := range msgs {
		if links[i] >= i || links[i] < 0 {
			root[i] = i
			order = append(order, i)
		} else {
			root[i] = root[links[i]]
		}
		groups[root[i]] = append(groups[root[i]], msgs[i])
	}
	out := make([][]Message, 0, len(order))
	for _, r := range order {
		out = append(out, groups[r])
	}
	return out
}

// ConversationOf returns the conversation message i belongs to.
func ConversationOf(msgs []Message, links []int, i int) []Message {
	root := make([]int, len(msgs))
	for k := range msgs {
		if links[k] >= k || links[k] < 0 {
			root[k] = k
		} else {
			root[k] = root[links[k]]
		}
	}
	var out []Message
	for k := range msgs {
		if root[k] == root[i] {
			out = append(out, msgs[k])
		}
	}
	return out
}

// IsQuestion reports whether text reads as a request for help: a question
// mark, an interrogative opening, or a stated problem ("getting an error",
// "doesn't work").
func IsQuestion(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return false
	}
	// A question mark outside links and code.
	plain := urlPattern.ReplaceAllString(t, "")
	plain = inlineCode.ReplaceAllString(plain, "")
	if strings.Contains(plain, "?") {
		return true
	}
	for _, p := range problemPhrases {
		if strings.Contains(plain, p) {
			return true
		}
	}
	words := strings.FieldsFunc(plain, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	for len(words) > 0 && greetings[words[0]] {
		words = words[1:]
	}
	return len(words) > 2 && interrogatives[words[0]]
}

// isGreeting reports whether text only greets ("hi all", "good morning
// everyone"): someone arriving with a question, not answering one.
func isGreeting(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 || len(words) > 5 || !hiWords[words[0]] {
		return false
	}
	for _, w := range words {
		if !greetings[w] {
			return false
		}
	}
	return true
}

var (
	hiWords        = setOf("hi hey hello hiya yo morning good greetings howdy")
	greetings      = setOf("hi hey hello hiya yo howdy greetings guys all folks everyone everybody people team there morning afternoon evening good quick question so ok okay")
	interrogatives = setOf("how what why where when which who whom whose is are can could does do did should would will has have anyone anybody somebody someone any")
	problemPhrases = []string{"any idea", "anyone know", "is there a way", "need help", "having trouble", "having an issue",
		"having issues", "getting an error", "getting error", "getting this error", "i get an error", "doesn't work",
		"does not work", "not working", "fails with", "won't start", "can't get", "cannot get", "how to "}
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
