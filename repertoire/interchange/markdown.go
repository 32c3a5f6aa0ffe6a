package interchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/internal/safe"
	"github.com/repertoire/repertoire/repertoire"
)

type indexed struct {
	file, title, kind, author string
}

// WriteMarkdown writes entries/<file>.md per entry, tags/<tag>.md per tag and
// index.md, for a wiki or a static site. Only titles are held for the indexes.
func WriteMarkdown(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, dir string) (int, error) {
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
		r.CreatedAt.UTC().Format(timeFormat), r.UpdatedAt.UTC().Format(timeFormat))
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
