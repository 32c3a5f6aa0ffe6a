package interchange

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/repertoire/repertoire/repertoire"
)

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

// WriteCSV writes one row per entry, each cell through spreadsheetSafe.
func WriteCSV(ctx context.Context, store repertoire.Store, p repertoire.ExportParams, w io.Writer) (int, error) {
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
			r.CreatedAt.UTC().Format(timeFormat), r.UpdatedAt.UTC().Format(timeFormat)}
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
