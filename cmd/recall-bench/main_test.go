package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestReadDialogs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "chat.txt")
	text := "[2016-12-29 13:13:53] <ann> how do I scroll?\n[2016-12-29 13:13:55] <ann> on android\n" +
		"1 [2016-12-29 13:14:09] <ben> use swipe\ncontinued line\n" +
		"--------------------------------\n[2016-12-30 10:00:00] <cat> next dialog\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := readDialogs(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || len(d[0]) != 3 || d[0][2].author != "ben" || d[0][2].text != "use swipe\ncontinued line" || d[1][0].author != "cat" {
		t.Fatalf("dialogs %+v", d)
	}
}

// A tiny end-to-end run: the command builds, recalls and prints every class
// beside the baseline, and evaluates a LiveChat folder.
func TestRunSmall(t *testing.T) {
	dir := t.TempDir()
	chats := filepath.Join(dir, "chats")
	os.Mkdir(chats, 0o700)
	text := "[t] <ann> how do I rotate the tls certificate?\n[t] <ben> to rotate a tls certificate run certbot renew\n" +
		"-----\n[t] <cat> why is the docker image so big?\n[t] <dan> a docker image gets big without a multi-stage build\n"
	if err := os.WriteFile(filepath.Join(chats, "a.txt"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-dir", dir, "-sizes", "300", "-queries", "5", "-baseline-queries", "2", "-livechat", chats}, &out, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"== 300 entries", "common ", "medium ", "rare ", "mix ", "peak RSS while recalling", "2 dialogs asked", "recall       1.0000 [1.0000, 1.0000]", "reading " + chats,
		"top-3 fusion (CV) - plain bm25 0.0000", "top-1 fusion (CV) - plain bm25 0.0000"} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSubtaskBReading(t *testing.T) {
	rel := map[string]bool{"b": true, "d": true}
	// The ranking puts d first; b, not retrieved, keeps its place after it.
	got := rerank([]string{"a", "b", "c", "d"}, []string{"x", "d", "a"})
	if strings.Join(got, "") != "dabc" {
		t.Fatalf("rerank %v", got)
	}
	// Hits at 1 and 3: (1/1 + 2/3) / 2.
	if ap := averagePrecision(got, rel, 10); ap < 0.8333 || ap > 0.8334 {
		t.Errorf("AP %v", ap)
	}
	if averagePrecision(got, map[string]bool{}, 10) != 0 || averagePrecision(got, rel, 1) != 1 {
		t.Error("AP without relevant ones is 0; at a cutoff of 1, d alone counts")
	}
}

func TestSemEvalFigures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cqa.xml")
	thread := func(id string, order int, rel, subject, comment string) string {
		return `<Thread THREAD_SEQUENCE="` + id + `"><RelQuestion RELQ_ID="` + id + `" RELQ_RANKING_ORDER="` + strconv.Itoa(order) +
			`" RELQ_RELEVANCE2ORGQ="` + rel + `"><RelQSubject>` + subject + `</RelQSubject><RelQBody></RelQBody></RelQuestion>` +
			`<RelComment RELC_ID="` + id + `_C1"><RelCText>` + comment + `</RelCText></RelComment></Thread>`
	}
	xml := `<xml>` +
		`<OrgQuestion ORGQ_ID="Q1"><OrgQSubject>renew residence permit</OrgQSubject><OrgQBody>where do I renew my residence permit</OrgQBody>` +
		thread("Q1_R1", 1, "Irrelevant", "best beach in town", "the north beach") + `</OrgQuestion>` +
		`<OrgQuestion ORGQ_ID="Q1"><OrgQSubject>renew residence permit</OrgQSubject><OrgQBody>where do I renew my residence permit</OrgQBody>` +
		thread("Q1_R2", 2, "Relevant", "residence permit renewal office", "renew the permit at immigration") + `</OrgQuestion></xml>`
	if err := os.WriteFile(file, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-dir", dir, "-sizes", "", "-semeval", file}, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	squeeze := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{
		"reading " + file,
		"2 entries, 1 original questions (1 with a relevant one)",
		// Recall puts the relevant thread first; the search engine had it second.
		"recall 1.0000 [1.0000, 1.0000] 1.0000 [1.0000, 1.0000] 1.0000 [1.0000, 1.0000] 1.0000 [1.0000, 1.0000]",
		"search engine - - - 0.5000 [0.5000, 0.5000]",
	} {
		if !strings.Contains(squeeze, want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
