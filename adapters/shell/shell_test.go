package shell_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/bot"
)

// record runs the shell over script and returns the events it delivered.
func record(t *testing.T, script ...string) (*shell.Shell, []bot.Event, string) {
	t.Helper()
	var out bytes.Buffer
	sh := shell.New(shell.Options{In: strings.NewReader(strings.Join(script, "\n")), Out: &out})
	var evs []bot.Event
	err := sh.Run(context.Background(), bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		evs = append(evs, ev)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return sh, evs, out.String()
}

func TestShellTranslatesCommandsToEvents(t *testing.T) {
	sh, evs, out := record(t,
		"/as ann", "question?", "/as ben", "/reply 1 answer", "/react 2 ✅", "/unreact 2 ✅",
		"/edit 2 better answer", "/delete 2", "/dm", "hello bot", "/ask where is it", "/quit", "never read")
	var kinds []string
	for _, ev := range evs {
		switch ev := ev.(type) {
		case bot.MessagePosted:
			kinds = append(kinds, "posted")
		case bot.ReactionAdded:
			kinds = append(kinds, "added:"+ev.Emoji.Unicode+":"+ev.User.Name)
		case bot.ReactionRemoved:
			kinds = append(kinds, "removed")
		case bot.MessageEdited:
			kinds = append(kinds, "edited:"+ev.Message.Text)
		case bot.MessageDeleted:
			kinds = append(kinds, "deleted")
		case bot.Mentioned:
			kinds = append(kinds, "mentioned:"+ev.Text)
			if !ev.Message.Private {
				t.Errorf("mention %q should be private (DM or slash)", ev.Text)
			}
		}
	}
	want := "posted posted added:✅:ben removed edited:better answer deleted posted mentioned:hello bot mentioned:where is it" // /ask passes its text as /repertoire does
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events\n got %s\nwant %s\n%s", got, want, out)
	}
	// The reply's thread was its question's; once deleted, the reply is gone from it.
	reply := evs[1].(bot.MessagePosted).Message
	if reply.Ref.Thread != evs[0].(bot.MessagePosted).Message.Ref.ID {
		t.Errorf("reply thread %q", reply.Ref.Thread)
	}
	if _, err := sh.Thread(context.Background(), reply.Ref); err == nil {
		t.Error("a deleted message should not be found")
	}
	thread, err := sh.Thread(context.Background(), evs[0].(bot.MessagePosted).Message.Ref)
	if err != nil || len(thread) != 1 || thread[0].Text != "question?" {
		t.Errorf("thread after the reply was deleted: %+v %v", thread, err)
	}
}

func TestShellRefusesWhatAMemberCannotDo(t *testing.T) {
	_, evs, out := record(t, "/as ann", "mine", "/as ben", "/edit 1 hijack", "/delete 1", "/react 7", "/reply x y",
		"/private", "/channel", "/nope", "/redeliver")
	if len(evs) != 2 { // the post, and its redelivery
		t.Errorf("delivered %d events", len(evs))
	}
	for _, want := range []string{"only ann can edit", "only ann can delete", "no message 7", "not a message number", "usage: /private", "unknown command /nope"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestShellRefusesOverlongLines(t *testing.T) {
	_, evs, out := record(t, strings.Repeat("x", shell.MaxLine+10), "short")
	if len(evs) != 1 || !strings.Contains(out, "nothing was posted") {
		t.Errorf("events %d, output %.200s", len(evs), out)
	}
}
