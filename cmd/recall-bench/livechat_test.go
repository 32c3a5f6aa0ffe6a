package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// LiveChat's text is read as asked: the data set's markers for removed
// links and code as words, dropped, or a link as https; an opening whole,
// or without its leading address to someone who talks in the channel.
func TestDialogReading(t *testing.T) {
	file := filepath.Join(t.TempDir(), "chat.txt")
	text := "[t] <ann> RatkoD: why does the [<-LINK->] build fail on arm64?\n" +
		"[t] <ann> docker: how do I prune [<-CODE->] images\n" +
		"[t] <RatkoD> ann, see the [<-LINK->] and run [<-CODE->]\n" +
		"-----\n[t] <cat> [<-LINK->]\n[t] <dan> thanks\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := livechatDialogItems([]string{file}, dialogReading{markers: "drop", dropAddress: true})
	if err != nil {
		t.Fatal(err)
	}
	// The second dialog's opening holds only a marker: nothing to search for.
	if len(got) != 1 {
		t.Fatalf("%d dialogs, want 1: %+v", len(got), got)
	}
	if want := "why does the   build fail on arm64?\ndocker: how do I prune   images"; got[0].question != want {
		t.Errorf("question %q, want %q", got[0].question, want)
	}
	if want := "ann, see the   and run  "; got[0].answer != want {
		t.Errorf("answer %q, want %q", got[0].answer, want)
	}
	raw, err := livechatDialogItems([]string{file}, dialogReading{markers: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	url, err := livechatDialogItems([]string{file}, dialogReading{markers: "url", dropAddress: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(url) != 2 || url[0].answer != "ann, see the  https://  and run  " {
		t.Errorf("a link read as a link: %+v", url)
	}
	if len(raw) != 2 || raw[0].question != "RatkoD: why does the [<-LINK->] build fail on arm64?\ndocker: how do I prune [<-CODE->] images" {
		t.Errorf("read as before: %+v", raw)
	}
}

// -livechat-scores writes every dialog's held-out figures per row, so that
// two readings of the data compare dialog by dialog.
func TestLivechatScores(t *testing.T) {
	dir := t.TempDir()
	chats := filepath.Join(dir, "chats")
	if err := os.Mkdir(chats, 0o700); err != nil {
		t.Fatal(err)
	}
	text := "[t] <ann> how do I rotate the tls certificate?\n[t] <ben> to rotate a tls certificate run certbot renew\n" +
		"-----\n[t] <cat> ben: why is the docker image so big?\n[t] <ben> a docker image gets big without a multi-stage build\n"
	if err := os.WriteFile(filepath.Join(chats, "a.txt"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	scores := filepath.Join(dir, "scores.tsv")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-dir", dir, "-sizes", "", "-livechat", chats, "-livechat-scores", scores}, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got, err := os.ReadFile(scores)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a.txt#0\tplain bm25\t1\t1\n", "a.txt#1\tplain bm25\t1\t1\n", "a.txt#1\tfusion (CV)\t1\t1\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("scores lack %q:\n%s", want, got)
		}
	}
	// The same reading compared with itself: every difference is zero.
	out.Reset()
	if err := run(context.Background(), []string{"-dir", dir, "-sizes", "", "-livechat", chats, "-livechat-compare", scores}, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if want := "top-3  plain bm25               0.0000 [0.0000, 0.0000] (2 dialogs)"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if err := run(context.Background(), []string{"-dir", dir, "-sizes", "", "-livechat", chats, "-livechat-markers", "some"}, &out, &out); err == nil {
		t.Error("an unknown -livechat-markers was taken")
	}
}
