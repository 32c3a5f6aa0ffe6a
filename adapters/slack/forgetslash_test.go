package slack_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// "/repertoire forget me" was told to "say `@repertoire forget me` again":
// the confirmation it asks for names the slash command the member used.
func TestForgetMeBySlashCommandNamesTheCommand(t *testing.T) {
	e := start(t, true)
	cmd, _ := e.fake.Slash("C1", "general", "U5", "forget me")
	envID := e.fake.Envelope("slash_commands", mustJSON(t, cmd))
	if err := e.fake.WaitAck(envID, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	e.wait("slack:cmd:" + cmd["trigger_id"].(string))
	rs := e.fake.Responses()
	if len(rs) != 1 {
		t.Fatalf("responses: %+v", rs)
	}
	if text := fmt.Sprint(rs[0].Body["text"]); !strings.Contains(text, "say `/repertoire forget me` again") {
		t.Errorf("confirmation asked for: %q", text)
	}
}
