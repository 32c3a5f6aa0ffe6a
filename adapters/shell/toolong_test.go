package shell_test

import (
	"strings"
	"testing"
)

// A 💡 on a message longer than the store keeps (a pasted dump over
// 64 KiB) is told why nothing was saved, once (alone where the platform
// whispers; this world does not, so in the thread): the capture failed with no word to anyone, the 💡 staying on the
// message as if saved. The reply quotes the message cut short, and the
// bot's 📚 is not added.
func TestScenarioCaptureOfAMessageTooLongToKeepSaysWhy(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I read the huge zookeeper crash dump?",
		"/as bob", "/reply 1 Use this parser: "+strings.Repeat("zkdump --parse --verbose ", 3000),
		"/as carol", "/react 2", "/unreact 2", "/react 2",
	)
	if strings.Contains(out, "could not handle") {
		t.Errorf("the capture failed without a word to the member:\n%.2000s", out[strings.Index(out, "carol reacted"):])
	}
	if n := strings.Count(out, "repertoire: Not saved: “Use this parser"); n != 1 {
		t.Errorf("carol was told %d times why nothing was saved, want once", n)
	}
	if !strings.Contains(out, "too long for me to keep") {
		t.Errorf("no word of why:\n%.2000s", out[strings.Index(out, "carol reacted"):])
	}
	if strings.Contains(out, "repertoire reacted 📚") || len(w.entries()) != 0 {
		t.Errorf("something was saved")
	}
}

// The same for a 💡 on a question too long to keep open (a dump with a
// question at its end, nobody has answered yet): the member is told, once.
func TestScenarioCaptureOfAQuestionTooLongToKeepOpenSaysWhy(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I read this huge zookeeper crash dump? "+strings.Repeat("0xdeadbeef frame ", 5000)+" what does it mean?",
		"/as carol", "/react 1", "/unreact 1", "/react 1",
	)
	if strings.Contains(out, "could not handle") {
		t.Errorf("the capture failed without a word to the member")
	}
	if n := strings.Count(out, "repertoire: Not saved: “How do I read this huge zookeeper"); n != 1 {
		t.Errorf("carol was told %d times why nothing was kept, want once", n)
	}
	if len(w.open("general")) != 0 {
		t.Errorf("an open question was kept")
	}
}
