package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// TestCommonWordsPath: with words in every entry, recall must still find
// the old entry that holds the rare word, the one holding all the common
// words, and a phrase (the pruned search once read only the newest
// postings of common words).
func TestCommonWordsPath(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/common.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 1500
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, created_at, updated_at) VALUES ('p', 's', 'c', 0, ?, 'tip', ?, ?, 'U1', '', ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			q, a := "deploy notes", fmt.Sprintf("deploy step %d of the build", i)
			switch i {
			case 10: // old, with a rare word
				a = "deploy with the zorblax canary"
			case 20: // old, with both common words in a phrase
				q = "deploy the pipeline"
			}
			if _, err := stmt.ExecContext(ctx, fmt.Sprint("m", i), q, a, i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	from := repertoire.Channel{Platform: "p", Space: "s", ID: "c"}
	for _, tc := range []struct{ query, want string }{
		{"zorblax deploy", "m10"},
		{"how do I deploy with zorbla", "m10"}, // prefix of the rare word
		{`"deploy the pipeline"`, "m20"},
		{"pipeline deploy", "m20"},
	} {
		hits, err := s.Search(ctx, repertoire.SearchParams{Text: tc.query, From: from})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].SourceID != tc.want {
			var got []string
			for _, h := range hits {
				got = append(got, h.SourceID)
			}
			t.Errorf("%q: got %v, want %s first", tc.query, got, tc.want)
		}
	}
	// Only common words: the newest entries holding them come back.
	hits, err := s.Search(ctx, repertoire.SearchParams{Text: "deploy build", From: from})
	if err != nil || len(hits) != 3 || hits[0].SourceID != fmt.Sprint("m", n-1) {
		t.Errorf("common words only: %v %v", hits, err)
	}
}
