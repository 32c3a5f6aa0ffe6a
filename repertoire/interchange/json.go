// Package interchange reads and writes the repertoire's own formats, on
// any store (repertoire.Store): the lossless JSON that another instance (or
// another store: repertoire migrate-store) imports whole, CSV for
// spreadsheets and Markdown pages for a wiki or a static site. cmd/ keeps
// the flags and the printing.
package interchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/repertoire/repertoire/adapters/exportfile"
	"github.com/repertoire/repertoire/repertoire"
)

// The JSON export's "format" and "version" fields.
const (
	Format  = "repertoire"
	Version = 1
)

// Person, Endorsement, Entry and OpenQuestion are the repertoire JSON
// format: everything an entry holds, so another instance reads it back
// losslessly. Times are UTC, RFC 3339 to the millisecond.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Endorsement is a saver or a voter of an entry, and when.
type Endorsement struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	At   string `json:"at"`
}

// Entry is one entry of the JSON format.
type Entry struct {
	Platform       string        `json:"platform"`
	Space          string        `json:"space"`
	Channel        string        `json:"channel"`
	ChannelName    string        `json:"channel_name"`
	Private        bool          `json:"private"`
	Source         string        `json:"source"`
	Thread         string        `json:"thread"`
	QuestionSource string        `json:"question_source"`
	Permalink      string        `json:"permalink"`
	Kind           string        `json:"kind"`
	Status         string        `json:"status"`
	Question       string        `json:"question"`
	QuestionAuthor Person        `json:"question_author"`
	Answer         string        `json:"answer"`
	Author         Person        `json:"author"`
	Tags           []string      `json:"tags"`
	Votes          int           `json:"votes"` // savers and voters; derived, checked on import
	Savers         []Endorsement `json:"savers"`
	Voters         []Endorsement `json:"voters"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
}

// OpenQuestion is one open question of the JSON format.
type OpenQuestion struct {
	Platform string `json:"platform"`
	Space    string `json:"space"`
	Channel  string `json:"channel"`
	Private  bool   `json:"private"`
	Message  string `json:"message"`
	Asker    Person `json:"asker"`
	Text     string `json:"text"`
	AskedAt  string `json:"asked_at"`
}

// FromOpenQuestion is q in the JSON format.
func FromOpenQuestion(q repertoire.OpenQuestion) OpenQuestion {
	return OpenQuestion{Platform: q.Channel.Platform, Space: q.Channel.Space, Channel: q.Channel.ID,
		Private: q.Channel.Private, Message: q.MessageID, Asker: Person(q.Asker), Text: q.Text,
		AskedAt: q.AskedAt.UTC().Format(timeFormat)}
}

func (j OpenQuestion) openQuestion() (repertoire.OpenQuestion, error) {
	at, err := time.Parse(time.RFC3339Nano, j.AskedAt)
	if err != nil {
		return repertoire.OpenQuestion{}, fmt.Errorf("asked_at: %q is not an RFC 3339 time", j.AskedAt)
	}
	return repertoire.OpenQuestion{
		Channel:   repertoire.Channel{Platform: j.Platform, Space: j.Space, ID: j.Channel, Private: j.Private},
		MessageID: j.Message, Asker: repertoire.Person(j.Asker), Text: j.Text, AskedAt: at.UTC(),
	}, nil
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// FromRecord is r in the JSON format.
func FromRecord(r repertoire.Record) Entry {
	ends := func(es []repertoire.Endorsement) []Endorsement {
		out := make([]Endorsement, 0, len(es))
		for _, e := range es {
			out = append(out, Endorsement{e.ID, e.Name, e.At.UTC().Format(timeFormat)})
		}
		return out
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return Entry{
		Platform: r.Channel.Platform, Space: r.Channel.Space, Channel: r.Channel.ID, ChannelName: r.Channel.Name,
		Private: r.Channel.Private, Source: r.SourceID, Thread: r.ThreadID, QuestionSource: r.QuestionID,
		Permalink: r.Permalink, Kind: string(r.Kind), Status: string(r.Status), Question: r.Question,
		QuestionAuthor: Person(r.QuestionAuthor), Answer: r.Answer, Author: Person(r.Author), Tags: tags,
		Votes: len(r.Savers) + len(r.Voters), Savers: ends(r.Savers), Voters: ends(r.Voters),
		CreatedAt: r.CreatedAt.UTC().Format(timeFormat), UpdatedAt: r.UpdatedAt.UTC().Format(timeFormat),
	}
}

func (j Entry) record() (repertoire.Record, error) {
	parse := func(what, s string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time", what, s)
		}
		return t.UTC(), nil
	}
	ends := func(what string, js []Endorsement) ([]repertoire.Endorsement, error) {
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

// WriteJSON streams the repertoire format of what p selects: a header,
// then one entry (and open question) at a time, in the store's stable
// order, so equal stores give byte-identical files. It returns how many
// entries it wrote.
func WriteJSON(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, w io.Writer) (int, error) {
	if _, err := fmt.Fprintf(w, "{\n  \"format\": %q,\n  \"version\": %d,\n", Format, Version); err != nil {
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
		return store.Export(ctx, p, func(r repertoire.Record) error { return put(FromRecord(r)) })
	})
	if err != nil {
		return n, err
	}
	_, err = list("open_questions", true, func(put func(any) error) error {
		return store.ExportOpenQuestions(ctx, p, func(q repertoire.OpenQuestion) error { return put(FromOpenQuestion(q)) })
	})
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(w, "}\n")
	return n, err
}

// ReadJSON streams the entries and open questions of a repertoire JSON
// export to fn, each validated; hash, when not nil, sees every byte.
func ReadJSON(ctx context.Context, file string, hash io.Writer, fn func(Item) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	if hash != nil {
		in = io.TeeReader(f, hash)
	}
	r := exportfile.NewReader(in)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	fail := func(err error) error { return r.Explain(file, dec, err) }
	if err := exportfile.Expect(dec, '{', "a repertoire export (a JSON object)"); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrNotRepertoire, err))
	}
	format := false
	// list streams the array under the current key, decoding each element
	// with decode.
	list := func(decode func(line int) error) error {
		if !format {
			return &exportfile.Error{File: file, Line: r.Line(dec.InputOffset()), Err: fmt.Errorf("%w: a list before \"format\"", ErrNotRepertoire)}
		}
		if err := exportfile.Expect(dec, '[', "a list"); err != nil {
			return fail(err)
		}
		for n := 1; dec.More(); n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if err := decode(r.NextLine(dec)); err != nil {
				return err
			}
		}
		if err := exportfile.Expect(dec, ']', "the end of the list"); err != nil {
			return fail(err)
		}
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		switch tok {
		case "format":
			var v string
			if err := dec.Decode(&v); err != nil || v != Format {
				return &exportfile.Error{File: file, Line: r.Line(dec.InputOffset()), Err: fmt.Errorf("%w: format is not %q", ErrNotRepertoire, Format)}
			}
			format = true
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil || v != Version {
				return &exportfile.Error{File: file, Line: r.Line(dec.InputOffset()), Err: fmt.Errorf("%w: version %d is not %d", ErrNotRepertoire, v, Version)}
			}
		case "entries":
			err = list(func(line int) error {
				var je Entry
				if err := dec.Decode(&je); err != nil {
					return fail(err)
				}
				rec, err := je.record()
				if err == nil {
					err = rec.Validate()
				}
				if err != nil {
					return &exportfile.Error{File: file, Line: line, Err: err}
				}
				return fn(Item{Record: &rec})
			})
		case "open_questions":
			err = list(func(line int) error {
				var jq OpenQuestion
				if err := dec.Decode(&jq); err != nil {
					return fail(err)
				}
				q, err := jq.openQuestion()
				if err == nil {
					err = q.Validate()
				}
				if err != nil {
					return &exportfile.Error{File: file, Line: line, Err: err}
				}
				return fn(Item{OpenQuestion: &q})
			})
		default:
			return &exportfile.Error{File: file, Line: r.Line(dec.InputOffset()), Err: fmt.Errorf("%w: unknown field %v", ErrNotRepertoire, tok)}
		}
		if err != nil {
			return err
		}
	}
	if err := exportfile.Expect(dec, '}', "the end of the export"); err != nil {
		return fail(err)
	}
	if !format {
		return &exportfile.Error{File: file, Err: fmt.Errorf("%w: no \"format\": %q", ErrNotRepertoire, Format)}
	}
	if err := exportfile.End(dec); err != nil {
		return fail(err)
	}
	return nil
}

// ErrNotRepertoire means a file is not a repertoire JSON export.
var ErrNotRepertoire = errors.New("not a repertoire export")
