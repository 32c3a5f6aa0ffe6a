package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
)

const (
	exportFormat  = "repertoire"
	exportVersion = 1
)

// jsonPerson and jsonEntry are the repertoire JSON format: everything an
// entry holds, so another instance reads it back losslessly.
type jsonPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type jsonEndorsement struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	At   string `json:"at"`
}

type jsonEntry struct {
	Platform       string            `json:"platform"`
	Space          string            `json:"space"`
	Channel        string            `json:"channel"`
	ChannelName    string            `json:"channel_name"`
	Private        bool              `json:"private"`
	Source         string            `json:"source"`
	Thread         string            `json:"thread"`
	QuestionSource string            `json:"question_source"`
	Permalink      string            `json:"permalink"`
	Kind           string            `json:"kind"`
	Status         string            `json:"status"`
	Question       string            `json:"question"`
	QuestionAuthor jsonPerson        `json:"question_author"`
	Answer         string            `json:"answer"`
	Author         jsonPerson        `json:"author"`
	Tags           []string          `json:"tags"`
	Votes          int               `json:"votes"` // savers and voters; derived, checked on import
	Savers         []jsonEndorsement `json:"savers"`
	Voters         []jsonEndorsement `json:"voters"`
	CreatedAt      string            `json:"created_at"`
	UpdatedAt      string            `json:"updated_at"`
}

type jsonOpenQuestion struct {
	Platform string     `json:"platform"`
	Space    string     `json:"space"`
	Channel  string     `json:"channel"`
	Private  bool       `json:"private"`
	Message  string     `json:"message"`
	Asker    jsonPerson `json:"asker"`
	Text     string     `json:"text"`
	AskedAt  string     `json:"asked_at"`
}

func fromOpenQuestion(q repertoire.OpenQuestion) jsonOpenQuestion {
	return jsonOpenQuestion{Platform: q.Channel.Platform, Space: q.Channel.Space, Channel: q.Channel.ID,
		Private: q.Channel.Private, Message: q.MessageID, Asker: jsonPerson(q.Asker), Text: q.Text,
		AskedAt: q.AskedAt.UTC().Format(jsonTime)}
}

func (j jsonOpenQuestion) openQuestion() (repertoire.OpenQuestion, error) {
	at, err := time.Parse(time.RFC3339Nano, j.AskedAt)
	if err != nil {
		return repertoire.OpenQuestion{}, fmt.Errorf("asked_at: %q is not an RFC 3339 time", j.AskedAt)
	}
	return repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: j.Platform, Space: j.Space, ID: j.Channel, Private: j.Private},
		MessageID: j.Message, Asker: repertoire.Person(j.Asker), Text: j.Text, AskedAt: at.UTC(),
	}, nil
}

const jsonTime = "2006-01-02T15:04:05.000Z07:00"

func fromRecord(r repertoire.Record) jsonEntry {
	ends := func(es []repertoire.Endorsement) []jsonEndorsement {
		out := make([]jsonEndorsement, 0, len(es))
		for _, e := range es {
			out = append(out, jsonEndorsement{e.ID, e.Name, e.At.UTC().Format(jsonTime)})
		}
		return out
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return jsonEntry{
		Platform: r.Channel.Platform, Space: r.Channel.Space, Channel: r.Channel.ID, ChannelName: r.Channel.Name,
		Private: r.Channel.Private, Source: r.SourceID, Thread: r.ThreadID, QuestionSource: r.QuestionID,
		Permalink: r.Permalink, Kind: string(r.Kind), Status: string(r.Status), Question: r.Question,
		QuestionAuthor: jsonPerson(r.QuestionAuthor), Answer: r.Answer, Author: jsonPerson(r.Author), Tags: tags,
		Votes: len(r.Savers) + len(r.Voters), Savers: ends(r.Savers), Voters: ends(r.Voters),
		CreatedAt: r.CreatedAt.UTC().Format(jsonTime), UpdatedAt: r.UpdatedAt.UTC().Format(jsonTime),
	}
}

func (j jsonEntry) record() (repertoire.Record, error) {
	parse := func(what, s string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time", what, s)
		}
		return t.UTC(), nil
	}
	ends := func(what string, js []jsonEndorsement) ([]repertoire.Endorsement, error) {
		var out []repertoire.Endorsement
		for _, e := range js {
			at, err := parse(what, e.At)
			if err != nil {
				return nil, err
			}
			out = append(out, repertoire.Endorsement{Person: repertoire.Person{ID: e.ID, Name: e.Name}, At: at})
		}
		return out, nil
	}
	r := repertoire.Record{
		Channel:  repertoire.Channel{Platform: j.Platform, Space: j.Space, ID: j.Channel, Name: j.ChannelName, Private: j.Private},
		SourceID: j.Source, ThreadID: j.Thread, QuestionID: j.QuestionSource, Permalink: j.Permalink,
		Kind: repertoire.Kind(j.Kind), Status: repertoire.Status(j.Status), Question: j.Question,
		QuestionAuthor: repertoire.Person(j.QuestionAuthor), Answer: j.Answer, Author: repertoire.Person(j.Author),
		Tags: j.Tags,
	}
	var err error
	if r.CreatedAt, err = parse("created_at", j.CreatedAt); err != nil {
		return r, err
	}
	if r.UpdatedAt, err = parse("updated_at", j.UpdatedAt); err != nil {
		return r, err
	}
	if r.Savers, err = ends("savers", j.Savers); err != nil {
		return r, err
	}
	if r.Voters, err = ends("voters", j.Voters); err != nil {
		return r, err
	}
	if j.Votes != len(r.Savers)+len(r.Voters) {
		return r, fmt.Errorf("votes is %d but the entry lists %d savers and voters", j.Votes, len(r.Savers)+len(r.Voters))
	}
	return r, nil
}

const exportUsage = `usage: repertoire export -format markdown|json|csv [-channel ID] [-out DIR] [-private]

  json      everything, private entries included, for "repertoire import repertoire"
  csv       one row per entry; a cell starting like a formula (= + - @) gets a leading '
  markdown  one file per entry with front matter, and an index per tag (needs -out)

Markdown and CSV hold public entries only, unless -channel names a channel
(its entries, private or not) or -private is given.`

// exportCommand writes the repertoire out in a form other tools read.
func exportCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("export", &cfg, stderr)
	format := fs.String("format", "json", "markdown, json or csv")
	channel := fs.String("channel", "", "only this channel ID")
	out := fs.String("out", "", "directory to write to (json and csv: standard output when empty)")
	private := fs.Bool("private", false, "markdown and csv: include private channels and DMs")
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	p := repertoire.ExportParams{Channel: *channel, Private: *private || *channel != ""}
	var name string
	switch *format {
	case "json":
		p.Private, name = true, "repertoire.json"
	case "csv":
		name = "repertoire.csv"
	case "markdown", "md":
		if *out == "" {
			return fmt.Errorf("%w: -format markdown needs -out DIR", errUsage)
		}
	default:
		fmt.Fprintln(stderr, exportUsage)
		return fmt.Errorf("%w: unknown -format %q (markdown, json or csv)", errUsage, *format)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if name == "" {
		n, err := exportMarkdown(ctx, store, p, *out)
		if err != nil {
			return fmt.Errorf("export markdown: %w", err)
		}
		fmt.Fprintf(stderr, "exported %s to %s\n", entriesCount(n), *out)
		return nil
	}
	w := stdout
	var f *os.File
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if f, err = os.Create(filepath.Join(*out, name)); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	var n int
	if *format == "json" {
		n, err = exportJSON(ctx, store, p, bw)
	} else {
		n, err = exportCSV(ctx, store, p, bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", *format, err)
	}
	if f != nil {
		fmt.Fprintf(stderr, "exported %s to %s\n", entriesCount(n), f.Name())
	}
	return nil
}

// exportJSON streams the repertoire format: a header, then one entry (and
// open question) at a time.
func exportJSON(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, w io.Writer) (int, error) {
	if _, err := fmt.Fprintf(w, "{\n  \"format\": %q,\n  \"version\": %d,\n", exportFormat, exportVersion); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	list := func(name string, last bool, each func(func(any) error) error) (int, error) {
		n := 0
		if _, err := fmt.Fprintf(w, "  %q: [", name); err != nil {
			return 0, err
		}
		err := each(func(v any) error {
			buf.Reset()
			if err := enc.Encode(v); err != nil {
				return err
			}
			sep := ",\n    "
			if n == 0 {
				sep = "\n    "
			}
			n++
			_, err := io.WriteString(w, sep+strings.TrimSuffix(buf.String(), "\n"))
			return err
		})
		if err != nil {
			return n, err
		}
		end := "]"
		if n > 0 {
			end = "\n  ]"
		}
		if !last {
			end += ","
		}
		_, err = io.WriteString(w, end+"\n")
		return n, err
	}
	n, err := list("entries", false, func(put func(any) error) error {
		return store.Export(ctx, p, func(r repertoire.Record) error { return put(fromRecord(r)) })
	})
	if err != nil {
		return n, err
	}
	_, err = list("open_questions", true, func(put func(any) error) error {
		return store.ExportOpenQuestions(ctx, p, func(q repertoire.OpenQuestion) error { return put(fromOpenQuestion(q)) })
	})
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(w, "}\n")
	return n, err
}

// spreadsheetSafe defuses a CSV cell a spreadsheet would run as a formula
// (OWASP's CSV injection advice): a cell that starts with =, +, -, @, a tab
// or a carriage return, or with the full-width =, +, -, @ that some
// spreadsheets read alike, gets a leading apostrophe, which spreadsheets
// show as text and do not display. Everything else is left as it is.
func spreadsheetSafe(c string) string {
	r, _ := utf8.DecodeRuneInString(c)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + c
	}
	return c
}

// exportCSV writes one row per entry, each cell through spreadsheetSafe.
func exportCSV(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	header := []string{"platform", "space", "channel", "channel_name", "private", "source", "permalink", "kind", "status",
		"question", "question_author", "answer", "author", "tags", "savers", "votes", "created_at", "updated_at"}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	n := 0
	err := store.Export(ctx, p, func(r repertoire.Record) error {
		n++
		var savers []string
		for _, s := range r.Savers {
			savers = append(savers, s.Name)
		}
		row := []string{r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.Channel.Name, strconv.FormatBool(r.Channel.Private),
			r.SourceID, r.Permalink, string(r.Kind), string(r.Status), r.Question, r.QuestionAuthor.Name, r.Answer,
			r.Author.Name, strings.Join(r.Tags, " "), strings.Join(savers, "; "), strconv.Itoa(len(r.Savers) + len(r.Voters)),
			r.CreatedAt.UTC().Format(jsonTime), r.UpdatedAt.UTC().Format(jsonTime)}
		for i, c := range row {
			row[i] = spreadsheetSafe(c)
		}
		return cw.Write(row)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

type indexed struct {
	file, title, kind, author string
}

// exportMarkdown writes entries/<file>.md per entry, tags/<tag>.md per tag and
// index.md, for a wiki or a static site. Only titles are held for the indexes.
func exportMarkdown(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, dir string) (int, error) {
	for _, d := range []string{"entries", "tags"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return 0, err
		}
	}
	var all []indexed
	byTag := map[string][]indexed{}
	err := store.Export(ctx, p, func(r repertoire.Record) error {
		title := entryTitle(r)
		sum := sha256.Sum256([]byte(r.Channel.Platform + "\x00" + r.Channel.Space + "\x00" + r.Channel.ID + "\x00" + r.SourceID))
		file := r.CreatedAt.UTC().Format("2006-01-02") + "-" + slug(title, 48) + "-" + hex.EncodeToString(sum[:])[:8] + ".md"
		if err := os.WriteFile(filepath.Join(dir, "entries", file), []byte(safe.Text(entryMarkdown(r, title))), 0o644); err != nil {
			return err
		}
		ix := indexed{file, title, string(r.Kind), r.Author.Name}
		all = append(all, ix)
		for _, t := range r.Tags {
			byTag[t] = append(byTag[t], ix)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	tags := make([]string, 0, len(byTag))
	for t := range byTag {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	var idx strings.Builder
	idx.WriteString("# Repertoire\n\n")
	if len(tags) > 0 {
		idx.WriteString("## Tags\n\n")
		for _, t := range tags {
			fmt.Fprintf(&idx, "- [#%s](tags/%s) (%d)\n", t, tagFile(t), len(byTag[t]))
		}
		idx.WriteString("\n")
	}
	idx.WriteString("## Entries\n\n")
	for _, e := range all {
		fmt.Fprintf(&idx, "- [%s](entries/%s) (%s by %s)\n", mdText(e.title), e.file, e.kind, mdText(e.author))
	}
	if err := os.WriteFile(filepath.Join(dir, "index.md"), []byte(safe.Text(idx.String())), 0o644); err != nil {
		return 0, err
	}
	for _, t := range tags {
		var sb strings.Builder
		fmt.Fprintf(&sb, "# #%s\n\n", t)
		for _, e := range byTag[t] {
			fmt.Fprintf(&sb, "- [%s](../entries/%s) (%s by %s)\n", mdText(e.title), e.file, e.kind, mdText(e.author))
		}
		if err := os.WriteFile(filepath.Join(dir, "tags", tagFile(t)), []byte(safe.Text(sb.String())), 0o644); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

func entryTitle(r repertoire.Record) string {
	return repertoire.Entry{Question: r.Question, Answer: r.Answer}.Title()
}

// entryMarkdown is one entry's page: YAML front matter (strings JSON-quoted,
// which YAML reads as they are), then the question quoted and the answer.
func entryMarkdown(r repertoire.Record, title string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	list := func(ss []string) string {
		parts := make([]string, len(ss))
		for i, s := range ss {
			parts[i] = q(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	var savers []string
	for _, s := range r.Savers {
		savers = append(savers, s.Name)
	}
	var sb strings.Builder
	sb.WriteString("---\n")
	fmt.Fprintf(&sb, "title: %s\nkind: %s\nstatus: %s\ntags: %s\nauthor: %s\n", q(title), r.Kind, r.Status, list(r.Tags), q(r.Author.Name))
	if r.Question != "" {
		fmt.Fprintf(&sb, "question_author: %s\n", q(r.QuestionAuthor.Name))
	}
	fmt.Fprintf(&sb, "savers: %s\nvotes: %d\nlink: %s\nchannel: %s\ncreated: %s\nupdated: %s\n",
		list(savers), len(r.Savers)+len(r.Voters), q(r.Permalink), q(r.Channel.Name),
		r.CreatedAt.UTC().Format(jsonTime), r.UpdatedAt.UTC().Format(jsonTime))
	sb.WriteString("---\n\n")
	if r.Question != "" {
		sb.WriteString("## Question\n\n")
		for _, l := range strings.Split(r.Question, "\n") {
			sb.WriteString("> " + l + "\n")
		}
		sb.WriteString("\n## Answer\n\n")
	}
	sb.WriteString(r.Answer + "\n")
	return sb.String()
}

// tagFile names a tag's index page: the tag itself when it is a slug
// already, else its slug and a hash, so two tags never share a page.
func tagFile(t string) string {
	if s := slug(t, 64); s == t {
		return s + ".md"
	}
	sum := sha256.Sum256([]byte(t))
	return slug(t, 48) + "-" + hex.EncodeToString(sum[:])[:8] + ".md"
}

// slug makes a file name part: letters and digits, dashes between words.
func slug(s string, n int) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			dash = false
			sb.WriteRune(r)
			if sb.Len() >= n {
				break
			}
			continue
		}
		dash = true
	}
	if sb.Len() == 0 {
		return "entry"
	}
	return sb.String()
}

// mdText keeps a title from breaking a Markdown link.
func mdText(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`).Replace(safe.Line(s))
}
