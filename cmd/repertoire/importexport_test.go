package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/interchange"
	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/slackexport"
	"github.com/repertoire/repertoire/adapters/slackexport/slackexporttest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"

	_ "modernc.org/sqlite"
)

var slackSample = flag.String("slack-sample", filepath.Join("..", "..", "..", "shared", "data", "slack-export-sample", "testarchive.zip"),
	"a real Slack export ZIP (../shared/data/slack-export-sample); the test is skipped when it is absent")

// runCmd runs the program with args against db and returns stdout, stderr and the error.
func runCmd(t *testing.T, db string, args ...string) (string, string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	env := map[string]string{"REPERTOIRE_DB": db}
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	return out.String(), errs.String(), err
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, errs, err := runCmd(t, db, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errs)
	}
	return out
}

type msg = map[string]any

// smallSlack is a workspace export with a thread, reactions by several
// members, a save command, a private channel, a DM, channel events, an
// unknown subtype, a bot post and a member missing from users.json.
func smallSlack(t *testing.T, dir string, extra map[string]string) string {
	j := func(v any) string { return slackexporttest.JSON(t, v) }
	files := map[string]string{
		"users.json": j([]msg{
			{"id": "U1", "team_id": "T1", "name": "alice", "profile": msg{"display_name": "Alice"}},
			{"id": "U2", "team_id": "T1", "name": "bob", "real_name": "Bob B"},
			{"id": "U3", "team_id": "T1", "name": "carol"},
			{"id": "U4", "team_id": "T1", "name": "dave"},
			{"id": "UB", "team_id": "T1", "name": "repertoire", "is_bot": true},
		}),
		"channels.json":         j([]msg{{"id": "C1", "name": "general"}}),
		"groups.json":           j([]msg{{"id": "G1", "name": "secret"}}),
		"dms.json":              j([]msg{{"id": "D1", "members": []string{"U1", "U2"}}}),
		"integration_logs.json": "[]",
		"general/2024-01-01.json": j([]msg{
			{"type": "message", "user": "U1", "ts": "1704067200.000100", "thread_ts": "1704067200.000100",
				"text": "How do I rotate the TLS cert on staging? #tls"},
			{"type": "message", "user": "U2", "ts": "1704067260.000200", "thread_ts": "1704067200.000100",
				"text":      "Run certbot renew --force-renewal, then reload nginx.",
				"reactions": []msg{{"name": "bulb", "users": []string{"U3", "U4"}, "count": 2}, {"name": "+1", "users": []string{"U1"}, "count": 1}}},
			{"type": "message", "subtype": "channel_join", "user": "U4", "ts": "1704067300.000300", "text": "<@U4> has joined the channel"},
			{"type": "message", "subtype": "weird_new_thing", "user": "U4", "ts": "1704067400.000400", "text": "?"},
			{"type": "message", "subtype": "bot_message", "bot_id": "B1", "username": "ci", "ts": "1704067500.000500",
				"text": "build passed", "reactions": []msg{{"name": "bulb", "users": []string{"U3"}, "count": 1}}},
		}),
		"general/2024-01-02.json": j([]msg{
			{"type": "message", "user": "U3", "ts": "1704153600.000100", "thread_ts": "1704153600.000100",
				"text": "What's our policy for hotfix branches?"},
			{"type": "message", "user": "U4", "ts": "1704153660.000200", "thread_ts": "1704153600.000100",
				"text": "We branch from the release tag:\n1. git checkout -b hotfix/x v1.2\n2. cherry-pick the fix\n3. tag v1.2.1"},
			{"type": "message", "user": "U1", "ts": "1704153720.000300", "thread_ts": "1704153600.000100",
				"text": "<@UB> save how-we-do #release"},
			{"type": "message", "user": "U9", "ts": "1704153780.000400", "text": "a ghost's tip",
				"reactions": []msg{{"name": "white_check_mark", "users": []string{"U1"}, "count": 1}}},
		}),
		"secret/2024-01-01.json": j([]msg{
			{"type": "message", "user": "U2", "ts": "1704070000.000100", "text": "The staging DB password rotates monthly; ask ops.",
				"reactions": []msg{{"name": "book", "users": []string{"U1"}, "count": 1}}},
		}),
		"D1/2024-01-01.json": j([]msg{
			{"type": "message", "user": "U1", "ts": "1704080000.000100", "text": "Use ssh -J for jump hosts.",
				"reactions": []msg{{"name": "bulb", "users": []string{"U2"}, "count": 1}}},
		}),
	}
	for k, v := range extra {
		files[k] = v
	}
	return slackexporttest.Write(t, dir, "export.zip", files)
}

func allRecords(t *testing.T, db string) []repertoire.Record {
	t.Helper()
	s := openDB(t, db)
	var out []repertoire.Record
	if err := s.Export(context.Background(), repertoire.ExportParams{Private: true}, func(r repertoire.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return out
}

// dump renders every table of the database, rows sorted, to compare states.
func dump(t *testing.T, file string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var sb strings.Builder
	for _, tb := range tables {
		rows, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			continue // virtual tables read through their shadow tables
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&sb, "== %s\n%s\n", tb, strings.Join(lines, "\n"))
	}
	return sb.String()
}

func TestImportSlackExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	zip := smallSlack(t, dir, nil)
	out := mustRun(t, db, "import", "slack", zip, "-url", "https://acme.slack.com/", "-progress", "lines")
	for _, want := range []string{"channels: 3, files: 4 (0 already imported), messages read: 11", "4 created",
		`unknown message subtype "weird_new_thing" (first at general/2024-01-01.json:40)`, "channel event", "bot message or request to the bot",
		"captured message whose author the export does not name"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	recs := allRecords(t, db)
	bySource := map[string]repertoire.Record{}
	for _, r := range recs {
		bySource[r.SourceID] = r
	}
	if len(recs) != 4 {
		t.Fatalf("want 4 entries, got %d: %+v", len(recs), recs)
	}
	tip := bySource["1704067260.000200"]
	if tip.Kind != repertoire.Tip || tip.Author.Name != "Bob B" || tip.QuestionAuthor.Name != "Alice" ||
		!strings.Contains(tip.Question, "rotate the TLS cert") || tip.Channel.Private || tip.Channel.Space != "T1" {
		t.Errorf("captured reply: %+v", tip)
	}
	if len(tip.Savers) != 1 || tip.Savers[0].Name != "carol" || len(tip.Voters) != 1 || tip.Voters[0].Name != "dave" {
		t.Errorf("savers %+v voters %+v: want carol saving, dave voting", tip.Savers, tip.Voters)
	}
	if len(tip.Tags) != 1 || tip.Tags[0] != "tls" || !tip.CreatedAt.Equal(time.Unix(1704067260, 200000).Truncate(time.Millisecond)) {
		t.Errorf("tags %v created %v", tip.Tags, tip.CreatedAt)
	}
	if tip.Permalink != "https://acme.slack.com/archives/C1/p1704067260000200?thread_ts=1704067200.000100&cid=C1" {
		t.Errorf("permalink %q", tip.Permalink)
	}
	how := bySource["1704153660.000200"]
	if how.Kind != repertoire.HowWeDo || how.Author.Name != "dave" || how.QuestionAuthor.Name != "carol" ||
		len(how.Savers) != 1 || how.Savers[0].Name != "Alice" || strings.Join(how.Tags, " ") != "release" {
		t.Errorf("save command entry (best reply): %+v", how)
	}
	if s := bySource["1704070000.000100"]; !s.Channel.Private || s.Kind != repertoire.Story || s.Channel.Name != "secret" {
		t.Errorf("private channel entry: %+v", s)
	}
	if d := bySource["1704080000.000100"]; !d.Channel.Private || d.Channel.ID != "D1" {
		t.Errorf("DM entry: %+v", d)
	}
	// Private entries stay in their channel.
	s := openDB(t, db)
	hits, err := s.Search(context.Background(), repertoire.SearchParams{Text: "staging password rotates", From: repertoire.Channel{Platform: "slack", Space: "T1", ID: "C1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Channel.Private {
			t.Errorf("private entry %s recalled in #general", h.SourceID)
		}
	}
	s.Close()

	// The same export again changes nothing.
	before := dump(t, db)
	out = mustRun(t, db, "import", "slack", zip, "-url", "https://acme.slack.com/")
	if !strings.Contains(out, "(4 already imported)") || !strings.Contains(out, "0 created") {
		t.Errorf("second import:\n%s", out)
	}
	if after := dump(t, db); after != before {
		t.Errorf("second import changed the database")
	}
}

// With -detect, a thread nobody reacted to becomes a detected entry when the
// detector would have kept it live (a question, an answer with substance,
// the asker's thanks), even with its reply in a later day's file; a thread
// without a real answer, and threads members captured, are left alone.
func TestImportSlackDetect(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	j := func(v any) string { return slackexporttest.JSON(t, v) }
	zip := smallSlack(t, dir, map[string]string{
		"channels.json": j([]msg{{"id": "C1", "name": "general"}, {"id": "C2", "name": "help"}}),
		"help/2024-02-01.json": j([]msg{
			{"type": "message", "user": "U1", "ts": "1706745600.000100", "thread_ts": "1706745600.000100",
				"text": "How do I clear the npm cache on the build agents?"},
			{"type": "message", "user": "U3", "ts": "1706745700.000100", "thread_ts": "1706745700.000100",
				"text": "Is the wiki down for anyone else?"},
			{"type": "message", "user": "U4", "ts": "1706745760.000200", "thread_ts": "1706745700.000100",
				"text": "no idea"},
		}),
		"help/2024-02-02.json": j([]msg{
			{"type": "message", "user": "U2", "ts": "1706832000.000200", "thread_ts": "1706745600.000100",
				"text": "Run `npm cache clean --force` on each agent, then restart it: https://docs.npmjs.com/cli/cache"},
			{"type": "message", "user": "U1", "ts": "1706832060.000300", "thread_ts": "1706745600.000100",
				"text": "thanks, that worked!"},
		}),
	})
	out := mustRun(t, db, "import", "slack", zip, "-detect", "-progress", "none")
	if !strings.Contains(out, "5 created") || !strings.Contains(out, "detected: 1 exchanges") {
		t.Fatalf("summary:\n%s", out)
	}
	var detected []repertoire.Record
	for _, r := range allRecords(t, db) {
		if r.Status == repertoire.Detected {
			detected = append(detected, r)
		}
	}
	if len(detected) != 1 {
		t.Fatalf("detected entries: %+v", detected)
	}
	d := detected[0]
	if d.SourceID != "1706832000.000200" || d.Author.Name != "Bob B" || d.QuestionAuthor.Name != "Alice" ||
		!strings.Contains(d.Question, "npm cache") || len(d.Savers) != 0 || d.Channel.Name != "help" || d.Channel.Private {
		t.Errorf("detected entry: %+v", d)
	}
	before := dump(t, db)
	out = mustRun(t, db, "import", "slack", zip, "-detect", "-progress", "none")
	if !strings.Contains(out, "0 created") || dump(t, db) != before {
		t.Errorf("a repeated detecting import changed something:\n%s", out)
	}

	// Interrupted between the thread's two day files, then run again: the
	// same entries as in one go.
	resumed := filepath.Join(dir, "resumed.db")
	sum := importInterrupted(t, resumed, zip, bot.ImportOptions{Detect: true}, 3) // general's two files and help's first
	if sum.Detected != 1 {
		t.Fatalf("resumed: %d detected", sum.Detected)
	}
	if got, want := mustRun(t, resumed, "export", "-format", "json"), mustRun(t, db, "export", "-format", "json"); got != want {
		t.Errorf("resumed detecting import differs from a whole one:\n%s\nwant\n%s", got, want)
	}
}

// A folder of messages that no channel list names cannot be placed: the
// import says so instead of leaving it out silently.
func TestImportSlackUnlistedFolder(t *testing.T) {
	dir := t.TempDir()
	zip := smallSlack(t, dir, map[string]string{"orphans/2024-01-01.json": slackexporttest.JSON(t, []msg{
		{"type": "message", "user": "U1", "ts": "1704067200.000100", "text": "lost?"}})})
	_, errs, err := runCmd(t, filepath.Join(dir, "r.db"), "import", "slack", zip, "-progress", "none")
	if err != nil || !strings.Contains(errs, "1 folder of messages not named") || !strings.Contains(errs, "orphans") {
		t.Fatalf("err %v, stderr:\n%s", err, errs)
	}
}

// importInterrupted imports the Slack export zip into db with opts, stops
// it once stopAfter files are written, runs it again and returns what the
// second run did.
func importInterrupted(t *testing.T, db, zip string, opts bot.ImportOptions, stopAfter int) bot.ImportSummary {
	t.Helper()
	store, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a, err := slackexport.Open(context.Background(), zip, slackexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	core := bot.New(store, nil, bot.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := opts
	first.Progress = func(p bot.ImportProgress) {
		if p.Phase == "importing" && p.UnitsDone == stopAfter {
			cancel()
		}
	}
	if _, err := core.Import(ctx, a, first); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	sum, err := core.Import(context.Background(), a, opts)
	if err != nil {
		t.Fatalf("resumed import: %v", err)
	}
	return sum
}

// TestImportResumesAfterInterruption stops an import after two files, then
// runs it again: the rest is written, the first two are not read again for
// writing, and the result is that of an uninterrupted import.
func TestImportResumesAfterInterruption(t *testing.T) {
	dir := t.TempDir()
	zip := smallSlack(t, dir, nil)
	whole := filepath.Join(dir, "whole.db")
	mustRun(t, whole, "import", "slack", zip)

	db := filepath.Join(dir, "resumed.db")
	sum := importInterrupted(t, db, zip, bot.ImportOptions{}, 2)
	if sum.Resumed != 2 || sum.Created != 2 {
		t.Errorf("resumed run: %d units resumed, %d created; want 2 and 2", sum.Resumed, sum.Created)
	}
	got, want := mustRun(t, db, "export", "-format", "json"), mustRun(t, whole, "export", "-format", "json")
	if got != want {
		t.Errorf("resumed import differs from a whole one:\n%s\nwant\n%s", got, want)
	}
}

func TestImportBrokenInput(t *testing.T) {
	dir := t.TempDir()
	good := smallSlack(t, dir, nil)
	broken := func(name string, extra map[string]string) string {
		d := filepath.Join(dir, name)
		os.Mkdir(d, 0o755)
		return smallSlack(t, d, extra)
	}
	truncated := filepath.Join(dir, "truncated.zip")
	data, _ := os.ReadFile(good)
	os.WriteFile(truncated, data[:len(data)*2/3], 0o644)
	noUsers := slackexporttest.Write(t, dir, "nousers.zip", map[string]string{"channels.json": "[]"})
	notJSON := filepath.Join(dir, "notes.json")
	os.WriteFile(notJSON, []byte(`[{"type":"message","ts":"1.0"}]`), 0o644)
	badRecord := filepath.Join(dir, "badrecord.json")
	os.WriteFile(badRecord, []byte("{\n  \"format\": \"repertoire\",\n  \"version\": 1,\n  \"entries\": [\n"+
		"    {\"platform\": \"slack\", \"channel\": \"C1\", \"source\": \"1.1\", \"kind\": \"tip\", \"answer\": \"fine\", \"author\": {\"id\": \"U1\", \"name\": \"a\"}, \"created_at\": \"2024-01-01T00:00:00Z\", \"updated_at\": \"2024-01-01T00:00:00Z\"},\n"+
		"    {\"platform\": \"slack\", \"channel\": \"C1\", \"source\": \"1.2\", \"kind\": \"rumour\", \"answer\": \"x\", \"author\": {\"id\": \"U1\", \"name\": \"a\"}, \"created_at\": \"2024-01-01T00:00:00Z\", \"updated_at\": \"2024-01-01T00:00:00Z\"}\n"+
		"  ]\n}\n"), 0o644)
	badRepertoire := filepath.Join(dir, "other.json")
	os.WriteFile(badRepertoire, []byte("{\n  \"format\": \"something-else\",\n  \"entries\": []\n}\n"), 0o644)

	cases := []struct {
		name string
		args []string
		want []string // in the error
	}{
		{"truncated zip", []string{"slack", truncated}, []string{"truncated.zip", "not a readable ZIP"}},
		{"no users.json", []string{"slack", noUsers}, []string{"nousers.zip", "users.json"}},
		{"channels.json not an export", []string{"slack", broken("chobj", map[string]string{"channels.json": `{"ok": true}`})},
			[]string{"export.zip:channels.json:1", "not a Slack workspace export"}},
		{"day file not an export", []string{"slack", broken("dayobj", map[string]string{"general/2024-01-03.json": "{\n  \"messages\": []\n}"})},
			[]string{"export.zip:general/2024-01-03.json:1", "not a Slack workspace export"}},
		{"channel object instead of a list entry", []string{"slack", broken("dayarr", map[string]string{"general/2024-01-03.json": "[\n  \"hello\"\n]"})},
			[]string{"general/2024-01-03.json:2", "not a Slack workspace export"}},
		{"invalid UTF-8 in a later file", []string{"slack", broken("utf8", map[string]string{"secret/2024-01-02.json": "[\n" +
			"  {\"type\": \"message\", \"user\": \"U1\", \"ts\": \"1704170000.000100\", \"text\": \"fine\"},\n" +
			"  {\"type\": \"message\", \"user\": \"U1\", \"ts\": \"1704170000.000200\",\n" +
			"   \"text\": \"bad \xff byte\"}\n]\n"})}, []string{"secret/2024-01-02.json:4", "invalid UTF-8"}},
		{"truncated JSON", []string{"slack", broken("cut", map[string]string{"general/2024-01-03.json": "[\n  {\"type\": \"message\", \"ts\": \"1704200000.1\",\n"})},
			[]string{"general/2024-01-03.json:3", "truncated"}},
		{"zip slip", []string{"slack", broken("slip", map[string]string{"../../etc/evil.json": "[]"})},
			[]string{"export.zip", "escapes the archive"}},
		{"a JSON file given as a Slack export", []string{"slack", notJSON}, []string{"notes.json", "not a readable ZIP"}},
		{"a Slack file given as a Discord export", []string{"discord", notJSON}, []string{"notes.json:1", "not a DiscordChatExporter JSON export"}},
		{"not a repertoire export", []string{"repertoire", badRepertoire}, []string{"other.json:2", "not a repertoire export"}},
		{"an invalid entry after a valid one", []string{"repertoire", badRecord}, []string{"badrecord.json:6", `unknown kind "rumour"`}},
	}
	db := filepath.Join(dir, "r.db")
	mustRun(t, db, "import", "discord", writeDiscord(t, dir, "seed.json", "GuildTextChat", "C9"))
	before := dump(t, db)
	if !strings.Contains(before, "C9") {
		t.Fatal("seed import wrote nothing")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCmd(t, db, append([]string{"import"}, c.args...)...)
			if err == nil {
				t.Fatal("import of broken input succeeded")
			}
			t.Log(err)
			for _, w := range append(c.want, "nothing imported") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if after := dump(t, db); after != before {
				t.Error("the database changed")
			}
		})
	}
}

// writeDiscord writes a DiscordChatExporter file: a question, a reply to it
// reacted 💡 by two members, an event and an unknown message type.
func writeDiscord(t *testing.T, dir, name, chType, chID string) string {
	guild := msg{"id": "G1", "name": "Gophers"}
	if strings.HasPrefix(chType, "Direct") {
		guild = msg{"id": "0", "name": "Direct Messages"}
	}
	user := func(id, name string) msg {
		return msg{"id": id, "name": name, "discriminator": "0000", "nickname": name, "isBot": false}
	}
	doc := msg{
		"guild":      guild,
		"channel":    msg{"id": chID, "type": chType, "name": "help", "category": "Text"},
		"dateRange":  msg{"after": nil, "before": nil},
		"exportedAt": "2024-02-01T00:00:00+00:00",
		"messages": []msg{
			{"id": chID + "01", "type": "Default", "timestamp": "2024-01-05T10:00:00.123+00:00", "content": "How do I profile a goroutine leak?",
				"author": user("A1", "ana"), "reactions": []msg{}},
			{"id": chID + "02", "type": "Reply", "timestamp": "2024-01-05T10:05:00+00:00", "content": "Use pprof's goroutine profile: go tool pprof http://localhost:6060/debug/pprof/goroutine",
				"author":    user("A2", "ben"),
				"reference": msg{"messageId": chID + "01", "channelId": chID, "guildId": "G1"},
				"reactions": []msg{{"emoji": msg{"id": "", "name": "💡", "code": "bulb"}, "count": 2,
					"users": []msg{user("A3", "cid"), user("A1", "ana")}}}},
			{"id": chID + "03", "type": "GuildMemberJoin", "timestamp": "2024-01-05T10:06:00+00:00", "content": "", "author": user("A4", "dan")},
			{"id": chID + "04", "type": "SuperNewType", "timestamp": "2024-01-05T10:07:00+00:00", "content": "", "author": user("A4", "dan")},
		},
		"messageCount": 4,
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(slackexporttest.JSON(t, doc)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportDiscord(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	guildFile := writeDiscord(t, dir, "guild.json", "GuildTextChat", "C1")
	dmFile := writeDiscord(t, dir, "dm.json", "DirectTextChat", "D1")
	out := mustRun(t, db, "import", "discord", guildFile, dmFile)
	for _, want := range []string{"channels: 2", "messages read: 8", "2 created", `unknown message type "SuperNewType"`} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	recs := allRecords(t, db)
	if len(recs) != 2 {
		t.Fatalf("want 2 entries, got %+v", recs)
	}
	g, d := recs[1], recs[0] // ordered by space: "" (DM) before "G1"
	if g.Channel.Space != "G1" || g.Channel.Private || g.Author.Name != "ben" || g.QuestionAuthor.Name != "ana" ||
		!strings.Contains(g.Question, "goroutine leak") || g.Savers[0].Name != "cid" || g.Voters[0].Name != "ana" ||
		g.Permalink != "https://discord.com/channels/G1/C1/C102" {
		t.Errorf("guild entry: %+v", g)
	}
	if d.Channel.Space != "" || !d.Channel.Private || d.Permalink != "https://discord.com/channels/@me/D1/D102" {
		t.Errorf("DM entry: %+v", d)
	}
	before := dump(t, db)
	mustRun(t, db, "import", "discord", guildFile, dmFile)
	if dump(t, db) != before {
		t.Error("importing the same files again changed the database")
	}
}

// Discord exports name only the message a reply answers: -detect follows
// the chain (question ← answer ← "thanks, that worked") to its opening.
func TestImportDiscordDetect(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	user := func(id, name string) msg { return msg{"id": id, "name": name, "discriminator": "0000", "isBot": false} }
	reply := func(id string) msg { return msg{"messageId": id, "channelId": "C5", "guildId": "G1"} }
	doc := msg{
		"guild":   msg{"id": "G1", "name": "Gophers"},
		"channel": msg{"id": "C5", "type": "GuildTextChat", "name": "help"},
		"messages": []msg{
			{"id": "501", "type": "Default", "timestamp": "2024-01-05T10:00:00+00:00", "content": "How do I find which test leaks goroutines?", "author": user("A1", "ana")},
			{"id": "502", "type": "Reply", "timestamp": "2024-01-05T10:04:00+00:00", "author": user("A2", "ben"), "reference": reply("501"),
				"content": "Add `defer goleak.VerifyNone(t)` to each test, then run `go test -run TestX -count 1` one by one."},
			{"id": "503", "type": "Reply", "timestamp": "2024-01-05T10:09:00+00:00", "author": user("A1", "ana"), "reference": reply("502"),
				"content": "thanks, that worked!"},
		},
	}
	file := filepath.Join(dir, "help.json")
	if err := os.WriteFile(file, []byte(slackexporttest.JSON(t, doc)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, db, "import", "discord", file, "-progress", "none"); strings.Contains(out, "detected:") {
		t.Fatalf("plain import detected something:\n%s", out)
	}
	out := mustRun(t, db, "import", "discord", "-detect", file, "-progress", "none")
	recs := allRecords(t, db)
	if !strings.Contains(out, "detected: 1 exchanges") || len(recs) != 1 {
		t.Fatalf("summary:\n%s\nentries: %+v", out, recs)
	}
	if r := recs[0]; r.Status != repertoire.Detected || r.SourceID != "502" || r.QuestionAuthor.Name != "ana" || r.Kind != repertoire.Solution {
		t.Errorf("detected entry: %+v", r)
	}
}

func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, db, "import", "slack", smallSlack(t, dir, nil), "-url", "https://acme.slack.com")
	mustRun(t, db, "import", "discord", writeDiscord(t, dir, "g.json", "GuildTextChat", "C7"))
	// A detected entry and a live save with a vote, as the bot makes them.
	s := openDB(t, db)
	ctx := context.Background()
	ch := repertoire.Channel{Platform: "shell", Space: "local", ID: "general", Name: "general"}
	if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: "m1", Kind: repertoire.Solution, Status: repertoire.Detected,
		Question: "Why is CI slow?", Answer: "The cache key changes every run: use the lock file's hash. & <b>", Author: repertoire.Person{ID: "u1", Name: "eve"},
		At: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: "m2", Kind: repertoire.Tip, Answer: "Run go vet before pushing #go",
		Author: repertoire.Person{ID: "u1", Name: "eve"}, Saver: repertoire.Person{ID: "u2", Name: "fay"}, Tags: []string{"ci"},
		At: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vote(ctx, "", e.ID, "u3"); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"How do we rotate secrets?", "Who owns the DNS zone?"} {
		if err := s.AddOpenQuestion(ctx, repertoire.OpenQuestion{Channel: repertoire.Channel{Platform: "slack", Space: "T1", ID: "G1", Private: i == 1},
			MessageID: fmt.Sprint("q", i), Asker: repertoire.Person{ID: "U1", Name: "Alice"}, Text: text,
			AskedAt: time.Date(2024, 3, 3, 0, i, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	first := mustRun(t, db, "export", "-format", "json")
	file := filepath.Join(dir, "export.json")
	os.WriteFile(file, []byte(first), 0o644)
	db2 := filepath.Join(dir, "empty.db")
	out := mustRun(t, db2, "import", "repertoire", file)
	if !strings.Contains(out, "7 created") || !strings.Contains(out, "2 open questions added") {
		t.Errorf("import repertoire: %s", out)
	}
	second := mustRun(t, db2, "export", "-format", "json")
	if second != first {
		t.Errorf("round trip differs:\n%s\n---\n%s", first, second)
	}
	for _, want := range []string{`"status": "detected"`, `"private": true`, `& <b>`, `"permalink": "https://acme.slack.com/`} {
		if !strings.Contains(first, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	var doc struct {
		Format        string
		Entries       []interchange.Entry
		OpenQuestions []interchange.OpenQuestion `json:"open_questions"`
	}
	if err := json.Unmarshal([]byte(first), &doc); err != nil || len(doc.Entries) != 7 || len(doc.OpenQuestions) != 2 || !doc.OpenQuestions[1].Private {
		t.Fatalf("export is not the JSON expected: %v", err)
	}
	bySource := map[string]interchange.Entry{}
	for _, e := range doc.Entries {
		bySource[e.Source] = e
	}
	if e := bySource["m2"]; len(e.Voters) != 1 || e.Voters[0].ID != "u3" || len(e.Savers) != 1 || e.Savers[0].Name != "fay" ||
		e.Votes != 2 || e.CreatedAt != "2024-03-02T12:00:00.000Z" || strings.Join(e.Tags, " ") != "ci" {
		t.Errorf("live entry in the export: %+v", e)
	}
	if e := bySource["1704067260.000200"]; len(e.Voters) != 1 || e.Voters[0].Name != "dave" || e.Voters[0].At != "2024-01-01T00:01:00.000Z" ||
		e.QuestionAuthor.Name != "Alice" || e.QuestionSource != "1704067200.000100" || e.Thread != "1704067200.000100" {
		t.Errorf("imported entry in the export: %+v", e)
	}
	before := dump(t, db2)
	mustRun(t, db2, "import", "repertoire", file)
	if dump(t, db2) != before {
		t.Error("importing the same repertoire file again changed the database")
	}
}

func TestExportMarkdownAndCSV(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	mustRun(t, db, "import", "slack", smallSlack(t, dir, nil), "-url", "https://acme.slack.com")
	md := filepath.Join(dir, "md")
	mustRun(t, db, "export", "-format", "markdown", "-out", md)
	files, _ := filepath.Glob(filepath.Join(md, "entries", "*.md"))
	if len(files) != 2 {
		t.Fatalf("want the 2 public entries as files, got %v", files)
	}
	var all string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all += string(b)
	}
	for _, want := range []string{"kind: tip\n", "kind: how-we-do\n", `tags: ["tls"]`, `author: "Bob B"`, `savers: ["carol"]`,
		"votes: 2\n", `link: "https://acme.slack.com/archives/C1/p1704067260000200`, "created: 2024-01-01T00:01:00.000Z", "> How do I rotate"} {
		if !strings.Contains(all, want) {
			t.Errorf("markdown lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "password") || strings.Contains(all, "ssh -J") {
		t.Error("a private entry reached the Markdown export")
	}
	tag, err := os.ReadFile(filepath.Join(md, "tags", "tls.md"))
	if err != nil || !strings.Contains(string(tag), "](../entries/2024-01-01-how-do-i-rotate-the-tls-cert-on-staging-tls-") {
		t.Errorf("tag index: %v %s", err, tag)
	}
	if idx, _ := os.ReadFile(filepath.Join(md, "index.md")); !strings.Contains(string(idx), "[#release](tags/release.md) (1)") {
		t.Errorf("index:\n%s", idx)
	}

	csvOut := mustRun(t, db, "export", "-format", "csv")
	if lines := strings.Count(csvOut, "\n"); lines != 1+2+3 { // header, two entries, a three-line answer
		t.Errorf("csv has %d lines:\n%s", lines, csvOut)
	}
	priv := mustRun(t, db, "export", "-format", "csv", "-channel", "G1")
	if !strings.Contains(priv, "password rotates") || strings.Contains(priv, "certbot") {
		t.Errorf("csv of one private channel:\n%s", priv)
	}
}

// TestImportRealSlackSample imports the real export sample from
// ../shared/data; it is never copied into the repository.
func TestImportRealSlackSample(t *testing.T) {
	if _, err := os.Stat(*slackSample); err != nil {
		t.Skipf("no Slack export sample at %s", *slackSample)
	}
	db := filepath.Join(t.TempDir(), "r.db")
	out := mustRun(t, db, "import", "slack", *slackSample)
	if !strings.Contains(out, "channels: 2, files: 17 (0 already imported), messages read: 158") {
		t.Errorf("summary:\n%s", out)
	}
	before := dump(t, db)
	mustRun(t, db, "import", "slack", *slackSample)
	if dump(t, db) != before {
		t.Error("second import of the sample changed the database")
	}
}
