package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	for _, want := range []string{"== 300 entries", "common ", "medium ", "rare ", "mix ", "peak RSS while recalling", "2 dialogs asked", "recall         1.0000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
