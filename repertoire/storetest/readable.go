package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// readable is everything the store lets anyone read back about the
// channel general: the full export (entries with savers and voters, open
// questions, private ones included), the entries listed, and the message
// log. What a member removed must not be in it.
func readable(t *testing.T, s repertoire.Store) []byte {
	t.Helper()
	ctx := context.Background()
	var all []any
	p := repertoire.ExportParams{Private: true}
	if err := s.Export(ctx, p, func(r repertoire.Record) error { all = append(all, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ExportOpenQuestions(ctx, p, func(q repertoire.OpenQuestion) error { all = append(all, q); return nil }); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Entries(ctx, repertoire.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.LoggedMessages(ctx, repertoire.MessageQuery{Channel: general, Since: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, entries, msgs)
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
