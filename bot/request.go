package bot

import "github.com/repertoire/repertoire/repertoire"

// commandToBot reports whether m asks the bot to do something ("@repertoire
// help", "@repertoire digest now") rather than asks a question: such a
// message opens no exchange, so it is no entry's question.
func (b *Bot) commandToBot(m Message) bool {
	rest, ok := b.afterMention(m)
	if !ok {
		return false
	}
	verb, args := splitCommand(rest)
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
	return joinWords(names, "or"), seen[userID]
}
