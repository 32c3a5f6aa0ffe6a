package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// testDocFrequenciesFollowEveryChange checks DocFrequencies against a count
// kept beside the store while entries are imported, saved one by one
// (their postings wait to be merged), voted on, edited and deleted: tagging
// reads these counts on every capture, so a count that drifts picks the
// wrong tags for good.
func testDocFrequenciesFollowEveryChange(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	r := rand.New(rand.NewPCG(16, 7))
	zw := NewZipfWords(r, 60)
	vocab, text := zw.Vocab, zw.Text
	qs, as := map[string]string{}, map[string]string{} // source message → question, answer
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []repertoire.Record
	for i := range 80 {
		id := fmt.Sprint("m", i)
		q, a := text(r.IntN(6)), text(2+r.IntN(12))
		qs[id], as[id] = q, a
		recs = append(recs, repertoire.Record{Channel: general, SourceID: id, Kind: repertoire.Tip,
			Question: q, Answer: a, Author: repertoire.Person{ID: "U1"}, CreatedAt: at.Add(time.Duration(i) * time.Minute)})
	}
	if _, err := s.ImportBatch(ctx, repertoire.Batch{Records: recs}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for i := range 30 {
		id := fmt.Sprint("s", i)
		q, a := text(1+r.IntN(6)), text(2+r.IntN(12))
		qs[id], as[id] = q, a
		e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: general, SourceID: id, Kind: repertoire.Tip,
			Question: q, QuestionID: "q" + id, Answer: a, Author: repertoire.Person{ID: "U2"},
			Saver: repertoire.Person{ID: "U3"}, At: at.Add(time.Duration(100+i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = e.ID
	}
	check := func(stage string) {
		t.Helper()
		df, total, err := s.DocFrequencies(ctx, vocab)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(as) {
			t.Errorf("%s: total %d, want %d", stage, total, len(as))
		}
		for _, w := range vocab {
			want := 0
			for id := range as {
				if strings.Contains(" "+qs[id]+" "+as[id]+" ", " "+w+" ") {
					want++
				}
			}
			if df[w] != want {
				t.Errorf("%s: df[%s] = %d, want %d", stage, w, df[w], want)
			}
		}
	}
	check("saved")
	for k, id := range []string{"s3", "s10", "m5"} {
		if _, err := s.Vote(ctx, fmt.Sprint("v", k), ids[id], fmt.Sprint("V", k)); err != nil && id[0] == 's' {
			t.Fatal(err)
		}
	}
	check("voted")
	for i, id := range []string{"s7", "s10", "m2"} {
		a := text(8)
		if _, err := s.EditSource(ctx, fmt.Sprint("e", i), src(id), a, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		as[id] = a
	}
	check("edited")
	for i, id := range []string{"s12", "m9"} {
		if _, err := s.DeleteSource(ctx, fmt.Sprint("d", i), src(id)); err != nil {
			t.Fatal(err)
		}
		delete(qs, id)
		delete(as, id)
	}
	check("deleted")
}
