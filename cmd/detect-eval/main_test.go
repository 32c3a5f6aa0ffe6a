package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
)

// fixture writes a tiny data folder of the three kinds the tool reads.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"semeval2016-cqa/SemEval2016-Task3-CQA-QL-dev.xml": `<?xml version="1.0" encoding="utf-8"?>
<xml version="1.0">
<OrgQuestion ORGQ_ID="Q1"><OrgQSubject>s</OrgQSubject><OrgQBody>b</OrgQBody>
 <Thread THREAD_SEQUENCE="Q1_R1">
  <RelQuestion RELQ_ID="Q1_R1" RELQ_RANKING_ORDER="1" RELQ_CATEGORY="c" RELQ_DATE="2013-05-02 19:43:00" RELQ_USERID="U1" RELQ_USERNAME="ann" RELQ_RELEVANCE2ORGQ="Relevant">
   <RelQSubject>Renewing a residence permit</RelQSubject><RelQBody>Where do I renew my residence permit?</RelQBody>
  </RelQuestion>
  <RelComment RELC_ID="Q1_R1_C1" RELC_DATE="2013-05-02 20:00:00" RELC_USERID="U2" RELC_USERNAME="bob" RELC_RELEVANCE2ORGQ="Bad" RELC_RELEVANCE2RELQ="Bad"><RelCText>no idea</RelCText></RelComment>
  <RelComment RELC_ID="Q1_R1_C2" RELC_DATE="2013-05-02 21:00:00" RELC_USERID="U3" RELC_USERNAME="cat" RELC_RELEVANCE2ORGQ="Good" RELC_RELEVANCE2RELQ="Good"><RelCText>You renew the residence permit at the immigration office in the city centre; book at http://example.org/permits first</RelCText></RelComment>
  <RelComment RELC_ID="Q1_R1_C3" RELC_DATE="2013-05-02 22:00:00" RELC_USERID="U1" RELC_USERNAME="ann" RELC_RELEVANCE2ORGQ="Bad" RELC_RELEVANCE2RELQ="Bad"><RelCText>thanks, that worked</RelCText></RelComment>
 </Thread>
</OrgQuestion>
</xml>
`,
		"irc-disentanglement/s1.raw.txt":        "[10:00] <ann> how do I mount a usb drive?\n=== bob has joined #ubuntu\n[10:01] <cat> anyone using kde?\n[10:01] <bob> ann: try pmount /dev/sdb1\n",
		"irc-disentanglement/s1.annotation.txt": "0 0 -\n2 2 -\n0 3 -\n",
		"livechat/Demo.txt": `1 [2017-01-03 13:29:31] <ann> how do I pin the node version?
2 [2017-01-03 13:30:00] <bob> ann: use [<-CODE->] in .nvmrc
3 [2017-01-03 13:31:00] <ann> bob: thanks, that worked
--------------------------------------------------------------------------------------------------
// Part 1: an announcement
1 [2017-01-03T13:30:10] <cat> we shipped v2 today
2 [2017-01-03T13:30:30] <dan> nice
`,
		"livechat/Other.txt": `1 [2017-02-01 10:00:00] <eve> why does the build fail on node 18?
2 [2017-02-01 10:01:00] <fay> eve: node 18 needs openssl legacy provider, set NODE_OPTIONS=--openssl-legacy-provider
3 [2017-02-01 10:02:00] <eve> fay: thanks, that worked
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEvaluationFigures(t *testing.T) {
	var out, errs bytes.Buffer
	dir := fixture(t)
	if err := run(context.Background(), []string{"-data", dir}, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	got := squeeze(out.String())
	for _, want := range []string{
		// SemEval: the confirmed reply with a link is Good; the first reply is not.
		"reading " + filepath.Join(dir, "semeval2016-cqa"),
		"shipped weights (fitted on all of this file: in-sample) 100.0% [100.0, 100.0]",
		"baseline: first reply 0.0% [ 0.0, 0.0]",
		// IRC: the question and the addressed answer are linked right; "previous" gets only the first.
		"repertoire ReplyLinks              100.0%  (3 of 3",
		"baseline: the previous message     33.3%  (1 of 3)",
		// LiveChat: the announcement interleaved after the answer does not hide the exchange.
		"8 messages, 3 dialogs, 2 of them open with a question",
		// Each channel is judged at the threshold chosen on the other.
		"threshold by leave-one-channel-out (chosen: ",
		"reading " + filepath.Join(dir, "livechat", "Demo.txt"),
		"repertoire, auto mode, shipped threshold " + fmt.Sprintf("%.2f", bot.DetectThreshold) + " 100.0% [100.0, 100.0] 250.0 100.0% [100.0, 100.0]",
		"baseline: '?' then another's reply 100.0%",
	} {
		if !strings.Contains(got, squeeze(want)) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesUnknownPart(t *testing.T) {
	if err := run(context.Background(), []string{"-only", "nope"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("an unknown part should be an error")
	}
}
