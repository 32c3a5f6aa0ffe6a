package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
)

// Applied inbox items keep their payloads for the retention (to recognise
// a platform's retry, and the shards test reads them), so a forget erases
// them: none of the forgotten member's words stays in the inbox, while a
// retry of the applied delivery is still recognised and a pending item
// keeps its payload for the bot to apply.
func TestForgetErasesAppliedInboxPayloads(t *testing.T) {
	ctx := context.Background()
	url := dbURL(t)
	s, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const secret = "quetzalmarmoset"
	item := func(delivery, text string) repertoire.InboxItem {
		return repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: delivery, Channel: "C1",
			Payload: []byte(`{"event":{"type":"message","user":"U-bob","text":"` + text + `"}}`), Received: time.Now()}
	}
	seqs, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d1", "the "+secret+" trick"), item("d2", "still pending")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitInbox(ctx, nil, seqs[:1]); err != nil { // d1 applied
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	holding := func() int {
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE position($1::bytea in payload) > 0`, []byte(secret)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if holding() != 1 {
		t.Fatal("test is blind: the applied payload does not hold the words")
	}
	if _, err := s.ForgetUser(ctx, "slack", "U-bob"); err != nil {
		t.Fatal(err)
	}
	if n := holding(); n != 0 {
		t.Errorf("%d inbox payloads still hold the forgotten member's words", n)
	}
	if again, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d1", "the "+secret+" trick")}, nil); err != nil || again[0] != 0 {
		t.Errorf("a retry of the applied delivery: seq %v (%v), want it recognised", again, err)
	}
	pending, err := s.PendingInbox(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || string(pending[0].Payload) != string(item("d2", "still pending").Payload) {
		t.Errorf("pending after the forget: %+v, want d2 with its payload", pending)
	}
}

// An item still pending at a forget keeps its payload for the bot to
// apply; once applied, its payload goes, as the applied ones' did at the
// forget (it may quote the forgotten member). An item that arrived after
// the forget is kept for the retention like any other.
func TestForgetErasesPendingPayloadsOnceApplied(t *testing.T) {
	ctx := context.Background()
	url := dbURL(t)
	s, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const secret = "ocelotparagraph"
	item := func(delivery, text string, at time.Time) repertoire.InboxItem {
		return repertoire.InboxItem{Platform: "slack", Kind: "event", Delivery: delivery, Channel: "C1",
			Payload: []byte(`{"event":{"type":"message","user":"U-bob","text":"` + text + `"}}`), Received: at}
	}
	early, err := s.CommitInbox(ctx, []repertoire.InboxItem{item("d1", "the "+secret+" trick", time.Now())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, "slack", "U-bob"); err != nil {
		t.Fatal(err)
	}
	later := item("d2", "words after the forget", time.Now().Add(time.Millisecond)) // the store keeps milliseconds
	late, err := s.CommitInbox(ctx, []repertoire.InboxItem{later}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingInbox(ctx, 0, 10)
	if err != nil || len(pending) != 2 || !strings.Contains(string(pending[0].Payload), secret) {
		t.Fatalf("pending after the forget: %+v (%v), want both with their payloads", pending, err)
	}
	if _, err := s.CommitInbox(ctx, nil, []int64{early[0], late[0]}); err != nil { // both applied
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	payloads := map[string]string{}
	rows, err := raw.QueryContext(ctx, `SELECT delivery, payload FROM inbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var p []byte
		if err := rows.Scan(&d, &p); err != nil {
			t.Fatal(err)
		}
		payloads[d] = string(p)
	}
	if len(payloads) != 2 || payloads["d1"] != "" || payloads["d2"] != string(later.Payload) {
		t.Errorf("payloads once applied: %q, want d1's erased and d2's kept", payloads)
	}
}
