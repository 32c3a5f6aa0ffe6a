package bot_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func person(name string) repertoire.Person { return repertoire.Person{ID: "U-" + name, Name: name} }

// weekData is a week of #ops: five entries in three kinds and tags, two
// contributors who also saved, an open question and an old entry.
func weekData() repertoire.DigestData {
	ch := repertoire.Channel{Platform: "test", Space: "s", ID: "ops", Name: "ops"}
	start := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC) // Mon 09:00 CET
	end := start.Add(7 * 24 * time.Hour)
	at := func(d int) time.Time { return start.Add(time.Duration(d) * 24 * time.Hour) }
	return repertoire.DigestData{
		Channel: ch, Start: start, End: end,
		Entries: []repertoire.Entry{
			{ID: 11, Kind: repertoire.Tip, Question: "How do I rotate the TLS certificate?", Answer: "Run certbot renew, then reload nginx.\nNo restart needed.",
				Author: person("bob"), Savers: []repertoire.Person{person("carol")}, Votes: 3, Tags: []string{"tls", "nginx"},
				Permalink: "https://chat.example/ops/11", CreatedAt: at(1)},
			{ID: 12, Kind: repertoire.Solution, Question: "Why does go test hang in CI?", Answer: "It waits on stdin: run it with </dev/null.",
				Author: person("carol"), Savers: []repertoire.Person{person("bob"), person("dan")}, Votes: 3, Tags: []string{"ci"},
				Permalink: "https://chat.example/ops/12", CreatedAt: at(2)},
			{ID: 13, Kind: repertoire.Tip, Answer: "Use `kubectl rollout undo` to roll back\nIt keeps the last ten revisions. @everyone should know <!channel>",
				Author: person("bob"), Savers: []repertoire.Person{person("ann")}, Votes: 1, Tags: []string{"k8s"},
				Permalink: "https://chat.example/ops/13", CreatedAt: at(3)},
			{ID: 14, Kind: repertoire.Tip, Question: "Renew before the weekend?", Answer: "Yes, certs expire on Sundays here.",
				Author: person("dan"), Savers: []repertoire.Person{person("bob")}, Votes: 1, Tags: []string{"tls"},
				Permalink: "https://chat.example/ops/14", CreatedAt: at(4)},
			{ID: 15, Kind: repertoire.Story, Answer: "The night the backup restored itself", Author: repertoire.Person{ID: "U-x"},
				Savers: []repertoire.Person{person("ann")}, Votes: 1, Permalink: "https://chat.example/ops/15", CreatedAt: at(5)},
		},
		TotalEntries: 7,
		Contributors: []repertoire.Contributor{
			{Person: person("bob"), Authored: 2, Saved: 2}, {Person: person("ann"), Saved: 2},
			{Person: person("carol"), Authored: 1, Saved: 1}, {Person: person("dan"), Authored: 1, Saved: 1},
			{Person: repertoire.Person{ID: "U-x"}, Authored: 1},
		},
		OpenQuestions: []repertoire.OpenQuestion{{Asker: person("erin"), Text: "Who owns the   staging DNS zone?", AskedAt: at(2)}},
		TotalOpen:     2,
		Rediscover: &repertoire.Entry{ID: 3, Kind: repertoire.HowWeDo, Question: "How do we hand over on-call?",
			Answer: "Write the handover note in #oncall.", Author: person("ann"), Votes: 5,
			Permalink: "https://chat.example/ops/3", CreatedAt: time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)},
	}
}

func TestComposeDigestGolden(t *testing.T) {
	quiet := weekData()
	quiet.Entries, quiet.TotalEntries, quiet.Contributors, quiet.OpenQuestions, quiet.TotalOpen = nil, 0, nil, nil, 0
	recent := weekData()
	recent.Rediscover.CreatedAt = recent.End.Add(-30 * 24 * time.Hour) // no "still true?" prompt
	daily := weekData()
	daily.Start = daily.End.Add(-24 * time.Hour)
	daily.Entries, daily.TotalEntries, daily.Contributors, daily.Rediscover = daily.Entries[1:2], 1, daily.Contributors[2:3], nil
	daily.OpenQuestions, daily.TotalOpen = nil, 0
	for _, tc := range []struct {
		name string
		data repertoire.DigestData
	}{
		{"digest_week.golden", weekData()},
		{"digest_quiet.golden", quiet},
		{"digest_recent_rediscover.golden", recent},
		{"digest_daily.golden", daily},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := bot.ComposeDigest(tc.data, berlin)
			golden(t, tc.name, strings.Join(d.Doc().Parts(), "\n\n---\n\n")+"\n")
		})
	}
}

func TestComposeDigestOrderAndSections(t *testing.T) {
	data := weekData()
	// The store's order must not matter: reverse it.
	for i, j := 0, len(data.Entries)-1; i < j; i, j = i+1, j-1 {
		data.Entries[i], data.Entries[j] = data.Entries[j], data.Entries[i]
	}
	d := bot.ComposeDigest(data, berlin)
	var got []int64
	var sections []string
	for _, s := range d.Sections {
		sections = append(sections, string(s.Kind)+"/"+s.Tag)
		for _, e := range s.Entries {
			got = append(got, e.ID)
		}
	}
	// 11 and 12 tie on votes: the older first. 14 joins 11's tip/tls section.
	if want := []int64{11, 14, 12, 13, 15}; !equalIDs(got, want) {
		t.Errorf("entry order %v, want %v", got, want)
	}
	if want := "tip/tls solution/ci tip/k8s story/"; strings.Join(sections, " ") != want {
		t.Errorf("sections %q, want %q", sections, want)
	}
	if d.More != 2 || d.MoreQuestions != 1 || !d.StillTrue || d.Quiet {
		t.Errorf("more %d, more questions %d, still true %v, quiet %v", d.More, d.MoreQuestions, d.StillTrue, d.Quiet)
	}
	for _, c := range d.Contributors {
		if c.Name == "" || strings.HasPrefix(c.Name, "U-") {
			t.Errorf("contributor without a display name thanked: %+v", c)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A platform with a small limit splits the digest between entries: every
// entry's text lands whole in one message.
func TestDigestSplitsBetweenEntries(t *testing.T) {
	parts := bot.ComposeDigest(weekData(), berlin).Doc().Parts()
	limit := 0
	for _, p := range parts {
		limit = max(limit, utf8.RuneCountInString(p))
	}
	msgs := bot.Split(parts, limit+10)
	if len(msgs) < 2 {
		t.Fatalf("expected several messages at limit %d, got %d", limit+10, len(msgs))
	}
	for _, p := range parts {
		found := false
		for _, m := range msgs {
			if strings.Contains(m, p) {
				found = true
			}
		}
		if !found {
			t.Errorf("part split across messages: %q", p)
		}
	}
}

// BenchmarkComposeDigest composes and renders a full digest (30 entries,
// contributors, questions, an old entry): the pure part of a digest, after
// the store's DigestData (BenchmarkDigestData100k in repertoire/).
// Run: go test ./bot -run X -bench ComposeDigest
func BenchmarkComposeDigest(b *testing.B) {
	data := weekData()
	base := data.Entries
	data.Entries = nil
	for i := range 30 {
		e := base[i%len(base)]
		e.ID = int64(100 + i)
		e.Votes = i % 7
		data.Entries = append(data.Entries, e)
	}
	data.TotalEntries = 960
	for b.Loop() {
		if parts := bot.ComposeDigest(data, berlin).Doc().Parts(); len(parts) < 30 {
			b.Fatal("short digest")
		}
	}
}

// "This helped" feedback counts with votes, recall hits break ties, and
// entries the detector saved stay apart until a member confirms them.
func TestComposeDigestFeedbackAndDetected(t *testing.T) {
	data := weekData()
	data.Entries[1].Helpful = 2   // 12: 3 votes + 2 👍 → first
	data.Entries[3].Unhelpful = 1 // 14: 1 vote − 1 👎 → last
	data.Hits = map[int64]int{15: 3}
	data.Detected = []repertoire.Entry{{ID: 21, Kind: repertoire.Solution, Question: "Why is the VPN slow?", Answer: "Switch to the EU gateway.",
		Author: person("erin"), Status: repertoire.Detected, Permalink: "https://chat.example/ops/21", CreatedAt: data.Start.Add(time.Hour)}}
	data.TotalDetected = 3
	d := bot.ComposeDigest(data, berlin)
	var got []int64
	for _, s := range d.Sections {
		for _, e := range s.Entries {
			got = append(got, e.ID)
		}
	}
	if want := []int64{12, 11, 14, 15, 13}; !equalIDs(got, want) {
		t.Errorf("entry order %v, want %v", got, want)
	}
	if len(d.Detected) != 1 || d.Detected[0].ID != 21 || d.MoreDetected != 2 {
		t.Fatalf("detected %+v, more %d", d.Detected, d.MoreDetected)
	}
	parts := strings.Join(d.Doc().Parts(), "\n---\n")
	if !strings.Contains(parts, "👍 2 found it helpful") || !strings.Contains(parts, "3 spotted in conversation") {
		t.Errorf("feedback or detected count missing:\n%s", parts)
	}
	spotted := strings.Index(parts, "Spotted in conversation")
	if spotted < 0 || strings.Index(parts, "Why is the VPN slow?") < spotted {
		t.Errorf("detected entry not listed apart:\n%s", parts)
	}
	golden(t, "digest_detected.golden", parts+"\n")

	// A period with only detected entries is not quiet.
	only := weekData()
	only.Entries, only.TotalEntries, only.OpenQuestions, only.TotalOpen = nil, 0, nil, 0
	only.Detected, only.TotalDetected = data.Detected, 1
	if bot.ComposeDigest(only, berlin).Quiet {
		t.Error("a period with a detected entry composed as quiet")
	}
}
