package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Digest is one channel's digest for one period, composed from the period's
// data and ready to render. It is a value: ComposeDigest makes it from data
// alone, so the same data always gives the same digest (golden files).
type Digest struct {
	Channel     ChannelRef
	ChannelName string
	Start, End  time.Time // in the schedule's zone
	// Quiet is a period with no new entry and no open question.
	Quiet    bool
	Sections []DigestSection // best first
	// More is how many of the period's entries did not fit.
	More          int
	Contributors  []DigestContributor
	Questions     []DigestQuestion
	MoreQuestions int
	// OpenSince is how far back open questions are listed: older ones aged
	// out (repertoire.DigestLimits.OpenFor).
	OpenSince  time.Time
	Rediscover *DigestEntry
	// Detected are entries the detector saved that no member confirmed
	// yet, listed apart; MoreDetected did not fit.
	Detected     []DigestEntry
	MoreDetected int
	// StillTrue asks members to check the rediscovered entry: it is more
	// than six months old.
	StillTrue bool
	// Direct is a DM's digest: the member's own notes, so it is worded
	// for them and thanks nobody.
	Direct bool
}

// DigestSection is the period's entries of one kind and tag.
type DigestSection struct {
	Kind    repertoire.Kind
	Tag     string // the entries' first tag; empty for untagged ones
	Entries []DigestEntry
}

// DigestEntry is one entry as a digest shows it.
type DigestEntry struct {
	ID      int64
	Rank    int // 1 for the best entry of the period
	Kind    repertoire.Kind
	Title   string
	Summary string // one line of the answer; empty when the title already is it
	Author  string
	Savers  []string
	Votes   int
	Helpful int // 👍 on recall answers that showed it
	Hits    int // recall answers that showed it
	Tags    []string
	Link    string
	Created time.Time
}

// DigestContributor is a member thanked by name (never by mention).
type DigestContributor struct {
	Name     string
	Authored int
	Saved    int
}

// DigestQuestion is a question recall could not answer in the period.
type DigestQuestion struct {
	Text  string
	Asker string
}

// stillTrueAge is the age after which a rediscovered entry gets a "still
// true?" prompt.
const stillTrueAge = 6 * 30 * 24 * time.Hour

// ComposeDigest turns a period's data into a digest: entries best first (most
// votes, then the earliest), in sections by kind and first tag ordered by
// their best entry, contributors by how much they gave, open questions
// oldest first, and the older entry to rediscover. It reads nothing but its
// arguments. An entry's worth is its votes (savers and voters) plus the
// 👍 less the 👎 members gave recall answers that showed it; how often
// recall showed it breaks ties. Entries the detector saved and no member
// confirmed are listed apart.
func ComposeDigest(data repertoire.DigestData, zone *time.Location) Digest {
	if zone == nil {
		zone = time.UTC
	}
	d := Digest{
		Channel:     ChannelRef{Platform: data.Channel.Platform, Space: data.Channel.Space, ID: data.Channel.ID},
		ChannelName: data.Channel.Name,
		Start:       data.Start.In(zone),
		End:         data.End.In(zone),
		Quiet: data.TotalEntries == 0 && len(data.Entries) == 0 && data.TotalOpen == 0 && len(data.OpenQuestions) == 0 &&
			data.TotalDetected == 0 && len(data.Detected) == 0,
	}
	worth := func(e repertoire.Entry) int { return e.Votes + e.Helpful - e.Unhelpful }
	entries := slices.Clone(data.Entries)
	slices.SortStableFunc(entries, func(a, b repertoire.Entry) int {
		return cmp.Or(cmp.Compare(worth(b), worth(a)), cmp.Compare(data.Hits[b.ID], data.Hits[a.ID]),
			a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	index := map[[2]string]int{}
	for i, e := range entries {
		de := digestEntry(e, zone)
		de.Hits = data.Hits[e.ID]
		de.Rank = i + 1
		tag := ""
		if len(e.Tags) > 0 {
			tag = e.Tags[0]
		}
		key := [2]string{string(e.Kind), tag}
		j, ok := index[key]
		if !ok {
			j = len(d.Sections)
			index[key] = j
			d.Sections = append(d.Sections, DigestSection{Kind: e.Kind, Tag: tag})
		}
		d.Sections[j].Entries = append(d.Sections[j].Entries, de)
	}
	// Sections follow their best entry; ranks are renumbered in reading order.
	rank := 1
	for i := range d.Sections {
		for j := range d.Sections[i].Entries {
			d.Sections[i].Entries[j].Rank = rank
			rank++
		}
	}
	d.More = max(data.TotalEntries-len(entries), 0)
	for _, c := range data.Contributors {
		name := strings.TrimSpace(c.Name)
		if name == "" {
			continue // thanked by name or not at all: an ID would be a mention on some platforms
		}
		d.Contributors = append(d.Contributors, DigestContributor{Name: oneLine(name, 60), Authored: c.Authored, Saved: c.Saved})
	}
	for _, q := range data.OpenQuestions {
		d.Questions = append(d.Questions, DigestQuestion{Text: oneLine(q.Text, 200), Asker: oneLine(displayName(q.Asker), 60)})
	}
	d.MoreQuestions = max(data.TotalOpen-len(d.Questions), 0)
	d.OpenSince = data.OpenSince.In(zone)
	for _, e := range data.Detected {
		d.Detected = append(d.Detected, digestEntry(e, zone))
	}
	d.MoreDetected = max(data.TotalDetected-len(d.Detected), 0)
	if r := data.Rediscover; r != nil {
		de := digestEntry(*r, zone)
		d.Rediscover = &de
		d.StillTrue = data.End.Sub(r.CreatedAt) > stillTrueAge
	}
	return d
}

func digestEntry(e repertoire.Entry, zone *time.Location) DigestEntry {
	de := DigestEntry{
		ID: e.ID, Kind: e.Kind, Title: oneLine(e.Title(), 120), Author: oneLine(displayName(e.Author), 60),
		Votes: e.Votes, Helpful: e.Helpful, Tags: e.Tags, Link: e.Permalink, Created: e.CreatedAt.In(zone),
	}
	answer := strings.TrimSpace(e.Answer)
	if strings.TrimSpace(e.Question) == "" {
		// The title is the answer's first line; the summary is what follows.
		_, answer, _ = strings.Cut(answer, "\n")
	}
	de.Summary = oneLine(answer, 160)
	for _, s := range e.Savers {
		if s.Name != "" {
			de.Savers = append(de.Savers, oneLine(s.Name, 60))
		}
	}
	return de
}

// kindHeading names a kind the way a section heading does.
func kindHeading(k repertoire.Kind) string {
	switch k {
	case repertoire.Tip:
		return "Tips"
	case repertoire.Solution:
		return "Solutions"
	case repertoire.Story:
		return "Stories"
	case repertoire.HowWeDo:
		return "How we do it"
	}
	return string(k)
}

// Doc renders the digest: a header, the entries by section (a heading per
// kind and tag), then the contributors, the entries spotted in conversation,
// the open questions and the entry to rediscover. Adapters split between
// blocks and entries, so an entry is never cut in two. A quiet digest is one
// short note.
func (d Digest) Doc() Doc {
	where := "this channel"
	if d.ChannelName != "" {
		where = "#" + d.ChannelName
	}
	span := d.span()
	if d.Quiet && d.Direct {
		return Doc{Blocks: []Block{Para(T(fmt.Sprintf("📚 A quiet period here: you kept no new note %s. React 💡 to one of your messages here to keep it as a note.", span)))}}
	}
	if d.Quiet {
		return Doc{Blocks: []Block{Para(T(fmt.Sprintf("📚 A quiet period in %s: nothing new was saved %s. React 💡 to a helpful message and it will be in the next digest.", where, span)))}}
	}
	n := d.More
	for _, s := range d.Sections {
		n += len(s.Entries)
	}
	q := len(d.Questions) + d.MoreQuestions
	summary := []string{}
	if n > 0 {
		summary = append(summary, fmt.Sprintf("%d new %s", n, plural(n, "entry", "entries")))
	}
	if spotted := len(d.Detected) + d.MoreDetected; spotted > 0 {
		summary = append(summary, fmt.Sprintf("%d spotted in conversation", spotted))
	}
	if q > 0 {
		summary = append(summary, fmt.Sprintf("%d open %s", q, plural(q, "question", "questions")))
	}
	title := "What " + where + " learned"
	if d.Direct {
		title = "Your notes kept here"
	}
	doc := Doc{Blocks: []Block{Para(T("📚 "), Em(title), T(fmt.Sprintf(" %s: %s.", span, joinWords(summary, "and"))))}}
	add := func(b ...Block) { doc.Blocks = append(doc.Blocks, b...) }
	for _, s := range d.Sections {
		h := kindHeading(s.Kind)
		if s.Tag != "" {
			h += " · #" + s.Tag
		}
		entries := make([]DocEntry, len(s.Entries))
		for i, e := range s.Entries {
			entries[i] = digestDocEntry(e)
		}
		add(Head(h), Entries(entries...))
	}
	if d.More > 0 {
		add(Para(T(fmt.Sprintf("…and %d more. Ask me about a topic to find them.", d.More))))
	}
	thank := len(d.Contributors) > 0 && !d.Direct // a DM's notes are the member's own
	if thank || len(d.Detected) > 0 || len(d.Questions) > 0 || d.Rediscover != nil {
		add(Rule())
	}
	if thank {
		names := make([]string, len(d.Contributors))
		for i, c := range d.Contributors {
			var did []string
			if c.Authored > 0 {
				did = append(did, fmt.Sprintf("%d shared", c.Authored))
			}
			if c.Saved > 0 {
				did = append(did, fmt.Sprintf("%d saved", c.Saved))
			}
			names[i] = c.Name + " (" + strings.Join(did, ", ") + ")"
		}
		add(Para(T("🙏 Thanks to everyone who shared and saved: " + strings.Join(names, ", ") + ".")))
	}
	if len(d.Detected) > 0 {
		add(Head("🤖 Spotted in conversation"), Para(T("I kept these exchanges, but nobody has confirmed them yet. React 💡 to one that deserves a place in the repertoire.")))
		entries := make([]DocEntry, len(d.Detected))
		for i, e := range d.Detected {
			entries[i] = DocEntry{Title: e.Title, Meta: []Span{T(fmt.Sprintf("%s by %s", e.Kind, e.Author))}, Link: e.Link}
		}
		add(Entries(entries...))
		if d.MoreDetected > 0 {
			add(Note(T(fmt.Sprintf("…and %d more", d.MoreDetected))))
		}
	}
	if len(d.Questions) > 0 {
		var sb strings.Builder
		for i, q := range d.Questions {
			if i > 0 {
				sb.WriteString("\n")
			}
			fmt.Fprintf(&sb, "• “%s” (asked by %s)", q.Text, q.Asker)
		}
		if d.MoreQuestions > 0 {
			fmt.Fprintf(&sb, "\n• …and %d more", d.MoreQuestions)
		}
		// What holds of every open question: none has a saved answer. Not
		// that recall found nothing: recall may have shown a possibly
		// related entry, and a 💡 keeps a question open without a search.
		const ask = "If you know one, reply and react 💡 to it."
		intro := "No answer to these has been saved yet. " + ask
		if !d.OpenSince.IsZero() && d.OpenSince.Before(d.Start) {
			intro = "Asked since " + d.OpenSince.Format("Mon 2 Jan") + " (older ones leave the list); no answer to these has been saved yet. " + ask
		}
		add(Head("❓ Open questions"), Para(T(intro+"\n"+sb.String())))
	}
	if r := d.Rediscover; r != nil {
		meta := fmt.Sprintf("%s by %s, %s", r.Kind, r.Author, r.Created.Format("2 Jan 2006"))
		if r.Votes > 0 {
			meta += fmt.Sprintf(" · %d %s", r.Votes, plural(r.Votes, "vote", "votes"))
		}
		add(Head("🔎 Worth another look"),
			Entries(DocEntry{Title: r.Title, Meta: []Span{T(meta)}, Link: r.Link}))
		if d.StillTrue {
			add(Para(T("Still true? It is more than six months old: react 💡 if it still holds, or reply with what changed.")))
		}
	}
	return doc
}

// span says which period the digest covers, in its zone.
func (d Digest) span() string {
	layout := "Mon 2 Jan"
	if d.End.Sub(d.Start) < 48*time.Hour {
		layout = "Mon 2 Jan 15:04"
	}
	return "from " + d.Start.Format(layout) + " to " + d.End.Format(layout)
}

func digestDocEntry(e DigestEntry) DocEntry {
	meta := fmt.Sprintf("%s by %s", e.Kind, e.Author)
	if len(e.Savers) > 0 {
		meta += ", saved by " + strings.Join(e.Savers, ", ")
	}
	if e.Votes > 0 {
		meta += fmt.Sprintf(" · %d %s", e.Votes, plural(e.Votes, "vote", "votes"))
	}
	if e.Helpful > 0 {
		meta += fmt.Sprintf(" · 👍 %d found it helpful", e.Helpful)
	}
	if len(e.Tags) > 0 {
		meta += " · #" + strings.Join(e.Tags, " #")
	}
	de := DocEntry{N: e.Rank, Title: e.Title, Meta: []Span{T(meta)}, Link: e.Link}
	if e.Summary != "" {
		de.Body = []Span{T(e.Summary)}
	}
	return de
}
