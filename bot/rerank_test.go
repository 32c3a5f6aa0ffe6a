package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// Search weighs only a long question's 24 rarest words; the re-ranker reads all
// of them, so the entry about the question's subject rises above one that
// only shares its opening chatter, and nothing is added or dropped.
func TestRerankReadsTheWholeQuestion(t *testing.T) {
	hit := func(id, q, a string) repertoire.Hit {
		return repertoire.Hit{Entry: repertoire.Entry{SourceID: id, Question: q, Answer: a}}
	}
	hits := []repertoire.Hit{
		hit("chatter", "hello everyone good morning friends", "good morning to you too"),
		hit("visa", "family visit visa sponsorship salary", "a family visit visa needs a salary certificate and the sponsor's id"),
		hit("car", "used car prices", "check the classifieds"),
	}
	q := "hello everyone good morning, what salary do I need to sponsor a family visit visa?"
	got := bot.Rerank(q, hits)
	if len(got) != 3 || got[0].SourceID != "visa" {
		t.Fatalf("order %s %s %s", got[0].SourceID, got[1].SourceID, got[2].SourceID)
	}
	if one := bot.Rerank(q, hits[:1]); len(one) != 1 || one[0].SourceID != "chatter" {
		t.Errorf("a single hit stays as it is: %+v", one)
	}
	if same := bot.Rerank("", hits); same[0].SourceID != "chatter" {
		t.Errorf("an empty question keeps Search's order")
	}
}

// What the re-ranking layer adds to a recall: 20 candidates with answers of
// a few hundred words.
func BenchmarkRerank(b *testing.B) {
	words := strings.Fields("deploy build cache docker node npm proxy certificate rotate cluster pods restart " +
		"crashloop memory limit kubernetes helm chart values secret token expire renew ingress tls log")
	var hits []repertoire.Hit
	for i := range 20 {
		var q, a []string
		for k := range 12 {
			q = append(q, words[(i*7+k*3)%len(words)])
		}
		for k := range 300 {
			a = append(a, words[(i*11+k*5)%len(words)])
		}
		hits = append(hits, repertoire.Hit{Entry: repertoire.Entry{SourceID: fmt.Sprint(i), Question: strings.Join(q, " "), Answer: strings.Join(a, " ")}})
	}
	question := "why do my pods restart in a crashloop after the helm chart upgrade, memory limit too low?"
	b.ResetTimer()
	for range b.N {
		bot.Rerank(question, hits)
	}
}
