package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// The generator writes entries that look like a chat community's saved
// exchanges, for latency figures at any size. Every choice is fixed here and
// seeded, so two runs build the same rows.
//
//   - Vocabulary: 50,000 word forms drawn with a Zipf law (P(rank k) ∝
//     (1+k)^-1.1, the shape of word frequencies in English and in chat).
//     The head interleaves function words ("the", "to", "is"…) with the
//     commonest technical words ("deploy", "build", "test"…), so the top
//     technical words are in most entries, as in a busy engineering
//     channel; then come 150 more technical words, then made-up
//     pronounceable words for the long tail (product names, hostnames,
//     error codes).
//   - Inflection: one word in six gets -s, -ed or -ing, so stemming matters.
//   - Length: question 5–25 words, answer 15–150 words, log-normal around
//     10 and 45 (a chat question and a few sentences of answer).
//   - Tags: 0–2 from the technical words; 50 channels, one in ten private;
//     kinds tip 40%, solution 35%, story 10%, how-we-do 15%; votes 1–5
//     skewed low; timestamps increasing, one entry a minute.
type generator struct {
	r *rand.Rand
	z *rand.Zipf
}

const vocabularySize = 50_000

var functionWords = strings.Fields(`the to and is it a in i you that of for on this with do be have not
	but can what if or how`)

var technicalWords = strings.Fields(`deploy build test error config server cache docker image container
	kubernetes pod node service ingress certificate tls nginx proxy timeout retry queue worker database
	index query migration schema backup restore replica lag vacuum secret token vault rotate renew release
	branch merge rebase commit hook lint format compile linker module version dependency upgrade rollback
	canary metric alert dashboard log trace span latency memory leak goroutine mutex deadlock panic stack
	profile cpu flame benchmark fuzz race channel context cancel deadline http grpc json yaml protobuf
	header cookie session auth oauth saml sso ldap dns resolver cidr subnet firewall port socket websocket
	terraform ansible helm chart operator cron schedule digest backlog sprint review incident postmortem
	runbook pager oncall escalation handover ticket customer invoice billing refund webhook signature
	python golang java rust typescript react angular webpack babel eslint gradle maven npm yarn pip
	postgres mysql redis kafka rabbitmq elasticsearch prometheus grafana jenkins github gitlab bitbucket
	jira slack discord email password permission role policy bucket storage volume disk network route`)

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &generator{r: r, z: rand.NewZipf(r, 1.1, 1, vocabularySize-1)}
}

// word returns the word of a rank: the head interleaves function and
// technical words, then the rest of the technical words, then made-up ones.
func word(rank uint64) string {
	nf, nt := uint64(len(functionWords)), uint64(len(technicalWords))
	if rank < 2*nf {
		if rank%2 == 0 {
			return functionWords[rank/2]
		}
		return technicalWords[rank/2]
	}
	if k := rank - 2*nf + nf; k < nt {
		return technicalWords[k]
	}
	syl := []string{"ka", "ro", "mi", "tel", "sun", "va", "dor", "pex", "li", "qua", "zen", "bo", "ther", "gan"}
	var sb strings.Builder
	for k := rank; k > 0; k /= uint64(len(syl)) {
		sb.WriteString(syl[k%uint64(len(syl))])
	}
	return sb.String()
}

func (g *generator) text(mean float64, lo, hi int) string {
	n := int(math.Round(math.Exp(math.Log(mean) + 0.5*g.r.NormFloat64())))
	n = max(lo, min(hi, n))
	words := make([]string, n)
	for i := range words {
		w := word(g.z.Uint64())
		if g.r.IntN(6) == 0 {
			w += []string{"s", "ed", "ing"}[g.r.IntN(3)]
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

type genEntry struct {
	channel  string
	private  bool
	kind     string
	question string
	answer   string
	tags     string
	votes    int
}

func (g *generator) entry() genEntry {
	c := g.r.IntN(50)
	e := genEntry{
		channel:  fmt.Sprint("c", c),
		private:  c%10 == 0,
		question: g.text(10, 5, 25) + "?",
		answer:   g.text(45, 15, 150),
		votes:    1 + int(math.Floor(-math.Log(1-g.r.Float64())*0.8)),
	}
	switch k := g.r.IntN(100); {
	case k < 40:
		e.kind = "tip"
	case k < 75:
		e.kind = "solution"
	case k < 85:
		e.kind = "story"
	default:
		e.kind = "how-we-do"
	}
	var tags []string
	for range g.r.IntN(3) {
		tags = append(tags, technicalWords[g.r.IntN(len(technicalWords))])
	}
	e.tags = strings.Join(tags, " ")
	return e
}

// Query classes, by the ranks their words come from. At 1M entries a
// "common" word is in most entries, a "medium" one in roughly 0.5–5%, a
// "rare" one in a few dozen at most.
var queryClasses = []struct {
	name   string
	lo, hi uint64
}{
	{"common", 1, 12},
	{"medium", 60, 600},
	{"rare", 20_000, vocabularySize - 1},
}

// query writes a natural question of 2–4 words of a class.
func (g *generator) query(lo, hi uint64) string {
	n := 2 + g.r.IntN(3)
	var words []string
	for len(words) < n {
		rank := lo + g.r.Uint64N(hi-lo)
		w := word(rank)
		if rank < 2*uint64(len(functionWords)) && rank%2 == 0 {
			continue // a function word: not a content word of the class
		}
		words = append(words, w)
	}
	openers := []string{"how do I", "what is the best way to", "anyone know about", "why does", "how can we"}
	return openers[g.r.IntN(len(openers))] + " " + strings.Join(words, " ") + "?"
}
