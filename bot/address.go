package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/repertoire/repertoire/repertoire"
)

// In chat a message often opens by addressing someone: "dave: how do I …",
// "dave, did the …", "@dave the build …", or a platform's mention of them
// (Slack's <@U123>). The name says whom the question
// is for, not what it is about. A nudge speaks unasked, only when an entry
// holds most of the question's informative weight (nudgeCoverage), and a
// name is a rare word, so it weighs much: an addressed question was never
// nudged, however well an entry answered it. Nudges therefore search
// without a leading address that names a member of the conversation
// (someone whose messages the bot logged in the channel). A word that names
// nobody known stays: "docker: how do I …" asks about docker.
//
// Recall asked by mention keeps the name: it only ranks, and on the
// LiveChat known-item benchmark ranking without it did slightly worse (the
// person addressed often takes part in the conversation that answers;
// README, issue 16's seventh stop).

// addressMembers is how many of the channel's newest logged messages are
// read for the names of who is talking there.
const addressMembers = 200

// leadingMention is a platform's markup for a member (or a role) at the
// start of a message, with the ':' or ',' that may follow: Slack's <@U123>
// or <@U123|name>, Discord's <@123>, <@!123> or <@&123>. It is an address
// whoever it names, so no names are looked up for it.
var leadingMention = regexp.MustCompile(`^\s*<@[!&]?[A-Za-z0-9]+(?:\|[^>\n]*)?>\s*[:,]?`)

// mayBeAddressed reports cheaply whether text opens like an address ("@x",
// or up to three words then ':' or ','), so that the names are looked up
// only for such questions.
var mayBeAddressed = regexp.MustCompile(`^\s*(?:@|[^\s:,]+(?:\s+[^\s:,]+){0,2}\s*[:,])`)

// Members is a set of names a conversation's members go by, lower case.
type Members map[string]bool

// Add records a member's name and ID (either may be what others type).
func (m Members) Add(p repertoire.Person) {
	for _, s := range []string{p.Name, p.ID} {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			m[s] = true
		}
	}
}

// WithoutAddress returns text without its leading address: platform
// mentions of members (leadingMention), and names of known members, each
// with an optional '@', followed by ':' or ',' (or, after '@', by a
// space), as in "dave: …", "dave, erin: …", "@dave …". A name not in
// members ends the address; when nothing would be left, text is returned
// as it was.
func WithoutAddress(text string, members Members) string {
	rest := strings.TrimLeftFunc(text, unicode.IsSpace)
	cut := false
	for {
		n := len(leadingMention.FindString(rest))
		if n == 0 && len(members) > 0 {
			n = addressLen(rest, members)
		}
		if n == 0 {
			break
		}
		rest, cut = strings.TrimLeftFunc(rest[n:], unicode.IsSpace), true
	}
	if !cut || len(repertoire.Terms(rest)) == 0 {
		return text
	}
	return rest
}

// addressLen is the length of the address to a known member text opens
// with (the name, its '@' and the ':' or ','), or 0.
func addressLen(text string, members Members) int {
	at := strings.HasPrefix(text, "@")
	s := strings.TrimPrefix(text, "@")
	best := 0
	// A name may hold spaces ("Ann Lee"): every prefix up to a delimiter
	// is tried, the longest known one kept.
	for i, r := range s {
		if r != ':' && r != ',' && !(at && unicode.IsSpace(r)) {
			if i > 64 {
				break
			}
			continue
		}
		if i == 0 || !members[strings.ToLower(strings.TrimRightFunc(s[:i], unicode.IsSpace))] {
			continue
		}
		n := i
		if r == ':' || r == ',' {
			n += utf8.RuneLen(r)
		}
		best = n
		if r == ':' || r == ',' {
			break
		}
	}
	if best > 0 && at {
		best++
	}
	return best
}

// channelMembers reads the names of who talks in the channel (its newest
// logged messages' authors, the bots left out). A failure only costs the
// address its removal, so it is logged, not returned.
func (b *Bot) channelMembers(ctx context.Context, ch repertoire.Channel) Members {
	logged, err := b.store.LoggedMessages(ctx, repertoire.MessageQuery{Channel: ch, Limit: addressMembers})
	if err != nil {
		b.log.WarnContext(ctx, "read the channel's members", logChannel, ch.ID, logErr, err)
		return nil
	}
	m := Members{}
	for _, l := range logged {
		if !l.Bot {
			m.Add(l.Author)
		}
	}
	return m
}

// opener matches what a question may open with before it asks, beside an
// address: a greeting ("Hi,", "hey all,", "good morning!") or an
// announcement that a question follows ("Quick question:", "Q:"). Its
// words ("quick", "question") are no more what the question is about than
// a name is, and a nudge weighs them: "Quick question: how do I clear the
// npm cache …?" was never nudged where the same question was. A greeting
// may go on to a name ("hi dave, how …"): the address is then cut as
// WithoutAddress cuts it.
var opener = regexp.MustCompile(`(?i)^\s*(?:(?:hi|hey|hello|hiya|howdy|yo|morning|good\s+(?:morning|afternoon|evening))(?:\s+(?:all|everyone|everybody|folks|team|there|guys|people|y'all))?(?:\s*[,!:.\x{2013}\x{2014}-]+\s*|\s+)|(?:(?:a\s+)?quick\s+)?(?:question|q|qq)\s*[:\x{2013}\x{2014}-]+\s*)`)

// withoutOpener returns text without the greeting or "quick question:" it
// opens with (opener), text as it was when nothing would be left.
func withoutOpener(text string) string {
	n := len(opener.FindString(text))
	if n == 0 || len(repertoire.Terms(text[n:])) == 0 {
		return text
	}
	return text[n:]
}

// searchText is what a nudge searches for when a member in channel ch
// asks question: the question without a leading greeting or "quick
// question:" (withoutOpener) and address to a member of ch.
func (b *Bot) searchText(ctx context.Context, ch repertoire.Channel, question string) string {
	question = withoutOpener(question)
	var members Members
	if mayBeAddressed.MatchString(WithoutAddress(question, nil)) {
		members = b.channelMembers(ctx, ch)
	}
	return WithoutAddress(question, members)
}
