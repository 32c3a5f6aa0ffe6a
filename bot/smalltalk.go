package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// A member who talks to the bot is not always asking it something: "thanks!"
// after an answer, "ok", "great, that worked", "hi". Searching the
// repertoire for those and saying it has nothing is a failed search the
// member never asked for. Small talk is told apart from a search by its
// words, not by a question mark: "redis cache flush" and "reset the vpn
// gateway" are searches with neither a question mark nor an interrogative,
// so anything that holds a word outside the small talk below is searched.
// A message that opens with thanks is small talk whatever follows, unless
// it also asks something ("thanks! and how do I restart it?").

// Kinds of small talk, each with its own answer.
const (
	talkThanks    = "thanks"
	talkHello     = "hello"
	talkAck       = "ack"
	talkNotHelped = "nothelped" // "no luck, thanks anyway", "that didn't work"
)

var (
	thanksWords = setOf("thanks thank thx ty tysm thanx cheers kudos")
	// ackWords are the words of an acknowledgement ("ok", "great, that
	// worked", "got it, makes sense"); with the plain words of a sentence
	// that carry nothing a search could find.
	ackWords = setOf(`ok okay k kk great cool nice perfect awesome excellent brilliant amazing sweet super lovely
		good fine alright right sure yes yeah yep yup done noted understood gotcha got makes sense lol haha wow oh ah
		worked works working helped fixed solved trick did does do it that this the was is so very much now all a lot
		really for you me again just indeed exactly true agreed no nope nah nvm cancel worries`)
	// connectives lead from thanks to what follows ("thanks! and one more
	// question: how …").
	connectives = setOf("appreciated and but also one more another quick question btw then next")
	// maxThanksWords bounds the content words after thanks: more, and the
	// message says something to search for.
	maxThanksWords = 5
	// maxAckWords bounds an acknowledgement: a longer message says something.
	maxAckWords = 8
)

// smallTalk reports what kind of small talk text is, or "" when it is a
// question or a search.
func smallTalk(text string) string {
	if strings.TrimSpace(text) == "" || IsQuestion(text) || intent.MatchString(text) || hasFilter(text) {
		return ""
	}
	words := chatWords(text)
	if len(words) == 0 {
		return talkAck // "👍", "!!"
	}
	if thanksWords[words[0]] || (len(words) > 1 && words[0] == "much" && words[1] == "appreciated") {
		// Unless a question follows: "thanks! how do I restart it".
		rest := words
		for len(rest) > 0 && (thanksWords[rest[0]] || ackWords[rest[0]] || connectives[rest[0]]) {
			rest = rest[1:]
		}
		if len(rest) > 2 && interrogatives[rest[0]] {
			return ""
		}
		// Or a long message that goes on about something ("Thanks Alex.
		// Actually my data are stored in a database … so I am wondering").
		if len(ContentWords(strings.Join(rest, " "))) > maxThanksWords {
			return ""
		}
		return talkThanks
	}
	if isGreeting(text) {
		return talkHello
	}
	if len(words) > maxAckWords {
		return ""
	}
	if saysNotHelped(text) && allChat(words, ackWords, thanksWords, notHelpedWords, failedWords, connectives, thanksFillers) {
		return talkNotHelped
	}
	for _, w := range words {
		if !ackWords[w] && !thanksWords[w] && w != "appreciated" {
			return ""
		}
	}
	return talkAck
}

// allChat reports whether each word is in one of the sets.
func allChat(words []string, sets ...map[string]bool) bool {
	for _, w := range words {
		if !slices.ContainsFunc(sets, func(set map[string]bool) bool { return set[w] }) {
			return false
		}
	}
	return true
}

// commandText is how the member who sent ev gives the bot a command: the
// words alone in a DM, after the bot's name elsewhere; help and forget me,
// asked by slash command, after that command.
func (b *Bot) commandText(ev Mentioned, command string) string {
	if ev.Via == ViaCommand && ev.Command != "" && (command == "help" || command == "forget me") {
		// Said by slash command: named so, as it works anywhere ("save"
		// and "unsave" need the thread a slash command does not carry).
		return "`" + ev.Command + " " + command + "`"
	}
	if ev.Via == ViaDM {
		return "`" + command + "`"
	}
	return "`@" + b.cfg.Name + " " + command + "`"
}

// smallTalkReply answers small talk: briefly, with how to ask. An "ok" or
// "yes" while the member's "forget me" awaits its confirmation is no
// confirmation, and is told so.
func (b *Bot) smallTalkReply(ctx context.Context, ev Mentioned, kind string) error {
	help := b.commandText(ev, "help")
	if kind == talkAck {
		if note := b.forgetNotConfirmed(ctx, ev); note != "" {
			return b.replyAside(ctx, ev, note)
		}
		if b.suggestedHere(ctx, ev) {
			// "@repertoire yes" to "Worth keeping?": say how to keep it.
			return b.reply(ctx, ev, "To keep it, react to my suggestion with "+b.captureList()+", or say "+b.commandText(ev, "save")+" here.")
		}
	}
	if saysHelped(ev.Text, false) {
		// "thanks, that helped": the "This helped" of the answer it follows.
		switch did, title, err := b.thanksHelped(ctx, ev.Message, true); {
		case err != nil:
			b.log.WarnContext(ctx, "count a thanks as helped", logEvent, ev.ID, logErr, err)
		case did == countedHelped:
			return b.reply(ctx, ev, "You're welcome! I noted that “"+title+"” helped: recall learns from it.")
		case did == whichHelped:
			return b.reply(ctx, ev, "You're welcome! Which one helped? Press “This helped” beside it: recall learns from it.")
		}
	}
	switch {
	case kind == talkNotHelped || kind == talkThanks && saysNotHelped(ev.Text):
		// "thanks anyway": the answer did not help; "you're welcome" reads
		// as if it had. Said after the bot's answer to the member's own
		// question, it keeps the question open for the digest.
		if answer, entries, err := b.thankedAnswer(ctx, ev.Message, true); err == nil && len(entries) > 0 {
			kept, err := b.keepOpenNotHelped(ctx, ev.ID, answer, ev.Message.Author)
			if err != nil {
				b.log.WarnContext(ctx, "keep open a question not answered", logEvent, ev.ID, logErr, err)
			}
			if kept {
				return b.reply(ctx, ev, "Sorry that didn't help. Your question is on the open questions, so the next digest asks for it; when someone answers it, react 💡 to the answer and I'll remember it.")
			}
		}
		return b.reply(ctx, ev, "Sorry I couldn't help with that. When someone answers it, react "+b.captureList()+" to their answer, so the repertoire has it next time.")
	case kind == talkThanks:
		return b.reply(ctx, ev, "You're welcome! Ask me anything else whenever you like.")
	case kind == talkHello:
		return b.reply(ctx, ev, "Hi! Ask me a question and I'll look for the answer in the repertoire; "+help+" lists what else I can do.")
	default:
		return b.reply(ctx, ev, "👍 Ask me a question whenever you like; "+help+" lists what I can do.")
	}
}

// forgetNotConfirmed says, to a member who answers "ok" or "yes" while
// their "forget me" awaits its confirmation (or expired within the hour),
// that nothing was removed and how to go ahead; "" otherwise.
func (b *Bot) forgetNotConfirmed(ctx context.Context, ev Mentioned) string {
	asked, err := b.store.ForgetAsked(ctx, ev.Message.Ref.Channel.Platform, ev.Message.Author.ID)
	if err != nil {
		return "" // none (or unreadable: the plain answer is still true)
	}
	forget := b.commandText(ev, "forget me")
	minutes := int(forgetConfirmWithin / time.Minute)
	switch age := b.cfg.Now().Sub(asked.At); {
	case age < 0 || age > time.Hour:
		return ""
	case age <= forgetConfirmWithin:
		return fmt.Sprintf("Nothing is removed yet. To remove everything of yours from the repertoire, say %s again within %d minutes of asking; otherwise the request lapses and nothing is removed.", forget, minutes)
	default:
		return fmt.Sprintf("Your %s expired (it must be confirmed within %d minutes), so nothing was removed. To go ahead, say %s, then %s again to confirm.", forget, minutes, forget, forget)
	}
}

// aboutTheBot reports whether text asks what the bot is or does ("what can
// you do?", "how do I use this bot?", "help me", "commands"): words of
// such a question only, one of them naming the bot or its help. Nothing
// in the repertoire answers that; the help does.
func (b *Bot) aboutTheBot(text string) bool {
	words := chatWords(text)
	named := false
	for _, w := range words {
		switch {
		case botWords[w] || w == strings.ToLower(b.cfg.Name):
			named = true
		case !askingWords[w]:
			return false
		}
	}
	return named
}

var (
	// botWords name the bot or its help.
	botWords = setOf("you your yourself you're bot commands command help features options usage")
	// askingWords are the rest of a question about it.
	askingWords = setOf(`what which how can could do does did i we should is are am the a an this me us to with
		use work works list show tell about all there any available supported who why please`)
)

// suggestedHere reports whether ev was said in the thread of an exchange
// the bot suggested keeping ("Worth keeping? React 💡 to save it").
func (b *Bot) suggestedHere(ctx context.Context, ev Mentioned) bool {
	ref := ev.Message.Ref
	if ref.Thread == "" {
		return false
	}
	ch := storeChannel(ref.Channel)
	d, err := b.store.DetectionAbout(ctx, ch, ref.Thread)
	return err == nil && d.SuggestionID != ""
}

// channelSetting tells a member who set nudges or detection in a DM that
// they are a channel's settings: in a DM the bot answers what it is asked
// and there is no one else's question to nudge or exchange to spot.
func (b *Bot) channelSetting(example string) string {
	return "That is a channel's setting: say `@" + b.cfg.Name + " " + example + "` in the channel you want it in. Here I answer whatever you ask me."
}

// withoutThanks is text without the thanks it opens with when a question
// follows ("thanks! and how do I rotate the vpn keys?" asks "how do I
// rotate the vpn keys?"): a digest lists the question, not the thanks that
// was meant for an earlier answer. Text that does not go on to a question
// stays whole.
func withoutThanks(text string) string {
	for i, first := 0, true; ; first = false {
		start := strings.IndexFunc(text[i:], chatRune)
		if start < 0 {
			return text
		}
		start += i
		end := strings.IndexFunc(text[start:], func(r rune) bool { return !chatRune(r) })
		if end < 0 {
			end = len(text) - start
		}
		end += start
		w := strings.ToLower(text[start:end])
		switch {
		case first && !thanksWords[w]:
			return text
		case thanksWords[w] || connectives[w] || thanksFillers[w]:
			i = end
		case interrogatives[w] && IsQuestion(text[start:]):
			return text[start:]
		default:
			return text
		}
	}
}

// chatWords are text's words as small talk reads them: lower case,
// letters, digits and apostrophes ("that's", "i'm").
func chatWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !chatRune(r) })
}

// chatRune reports whether r belongs to a word of chat (chatWords).
func chatRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '\'' }

// thanksFillers go with thanks ("thanks so much, and …").
var thanksFillers = setOf("so very much a lot again for that this it")
