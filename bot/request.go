package bot

import (
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// commandVerbs are the words that make a mention a command to the bot
// (mentioned's switch), not a question for recall.
var commandVerbs = setOf("help ? save keep forget digest why detect detection nudges nudge web signin login")

// commandToBot reports whether m asks the bot to do something ("@repertoire
// help", "@repertoire digest now") rather than asks a question: such a
// message opens no exchange, so it is no entry's question.
func (b *Bot) commandToBot(m Message) bool {
	t := strings.TrimSpace(m.Text)
	rest, ok := cutPrefixFold(t, "@"+b.cfg.Name)
	if !ok && m.ToBot {
		rest, ok = cutMention(t)
	}
	if !ok {
		return false
	}
	verb, args := splitCommand(strings.TrimLeft(strings.TrimSpace(rest), ":,"))
	return (verb == "" || commandVerbs[verb]) && isCommand(verb, args)
}

// kindChangers names the members who may change an entry's kind (its
// author, the member who asked its question, its saver: those who know
// what it is) and reports whether userID is one of them. A member whose
// save was counted as a vote is not: else any member could.
func kindChangers(e repertoire.Entry, userID string) (string, bool) {
	var names []string
	seen := map[string]bool{}
	add := func(p repertoire.Person, role string) {
		if p.ID == "" || seen[p.ID] {
			return
		}
		seen[p.ID] = true
		name := p.Name
		if name == "" {
			name = "a member"
		}
		names = append(names, name+" ("+role+")")
	}
	add(e.Author, "who wrote it")
	add(e.QuestionAuthor, "who asked")
	for _, s := range e.Savers {
		add(s, "who saved it")
	}
	return orList(names), seen[userID]
}

// orList joins names as prose: "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
