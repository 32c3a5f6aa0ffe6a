package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

type semevalFile struct {
	Questions []struct {
		Thread struct {
			RelQuestion struct {
				ID       string `xml:"RELQ_ID,attr"`
				UserID   string `xml:"RELQ_USERID,attr"`
				UserName string `xml:"RELQ_USERNAME,attr"`
				Date     string `xml:"RELQ_DATE,attr"`
				Subject  string `xml:"RelQSubject"`
				Body     string `xml:"RelQBody"`
			} `xml:"RelQuestion"`
			Comments []struct {
				ID       string `xml:"RELC_ID,attr"`
				UserID   string `xml:"RELC_USERID,attr"`
				UserName string `xml:"RELC_USERNAME,attr"`
				Date     string `xml:"RELC_DATE,attr"`
				Label    string `xml:"RELC_RELEVANCE2RELQ,attr"`
				Text     string `xml:"RelCText"`
			} `xml:"RelComment"`
		} `xml:"Thread"`
	} `xml:"OrgQuestion"`
}

// evalSemEval: for each related question (thread), is the reply the core
// chooses as the answer labelled Good (precision at 1), against the first
// reply; and is "this reply is useful" right on every comment.
func evalSemEval(path string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var doc semevalFile
	dec := xml.NewDecoder(f)
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	const layout = "2006-01-02 15:04:05"
	seen := map[string]bool{}
	var (
		threads, anyGood                 int
		chosen, chosenGood               int
		firstGood, firstOtherGood        int
		firstOther                       int
		comments, good                   int
		tp, fp, fn                       int // Useful
		notAskerTP, notAskerFP, notAskFN int
	)
	for _, oq := range doc.Questions {
		th := oq.Thread
		q := th.RelQuestion
		if seen[q.ID] || len(th.Comments) == 0 {
			continue
		}
		seen[q.ID] = true
		threads++
		at, _ := time.Parse(layout, q.Date)
		question := bot.Message{Ref: bot.MessageRef{ID: q.ID}, Author: bot.User{ID: q.UserID, Name: q.UserName},
			Text: strings.TrimSpace(q.Subject + "\n" + q.Body), Time: at}
		thread := []bot.Message{question}
		labels := map[string]string{}
		hasGood := false
		for _, c := range th.Comments {
			at, _ := time.Parse(layout, c.Date)
			thread = append(thread, bot.Message{Ref: bot.MessageRef{ID: c.ID, Thread: q.ID},
				Author: bot.User{ID: c.UserID, Name: c.UserName}, Text: c.Text, Time: at})
			labels[c.ID] = c.Label
			isGood := c.Label == "Good"
			hasGood = hasGood || isGood
			comments++
			if isGood {
				good++
			}
			useful := bot.Useful(question, thread[len(thread)-1], "repertoire")
			switch {
			case useful && isGood:
				tp++
			case useful:
				fp++
			case isGood:
				fn++
			}
			notAsker := c.UserID != q.UserID
			switch {
			case notAsker && isGood:
				notAskerTP++
			case notAsker:
				notAskerFP++
			case isGood:
				notAskFN++
			}
		}
		if hasGood {
			anyGood++
		}
		if labels[th.Comments[0].ID] == "Good" {
			firstGood++
		}
		for _, c := range th.Comments {
			if c.UserID != q.UserID {
				firstOther++
				if c.Label == "Good" {
					firstOtherGood++
				}
				break
			}
		}
		if best, ok := bot.BestReply(thread, "", "repertoire"); ok {
			chosen++
			if labels[best.Ref.ID] == "Good" {
				chosenGood++
			}
		}
	}
	fmt.Fprintf(w, "== Answer selection: SemEval-2016 Task 3 dev (Qatar Living; Nakov et al. 2016)\n")
	fmt.Fprintf(w, "%d related questions with comments, %d comments (%s labelled Good); %s of questions have a Good comment (ceiling)\n",
		threads, comments, pct(good, comments), pct(anyGood, threads))
	fmt.Fprintf(w, "precision@1 (chosen reply is Good):\n")
	fmt.Fprintf(w, "  repertoire BestReply             %s  (%d of %d questions; %d had no reply by another member)\n",
		pct(chosenGood, chosen), chosenGood, chosen, threads-chosen)
	fmt.Fprintf(w, "  baseline: first reply            %s  (%d of %d)\n", pct(firstGood, threads), firstGood, threads)
	fmt.Fprintf(w, "  baseline: first reply by another %s  (%d of %d)\n", pct(firstOtherGood, firstOther), firstOtherGood, firstOther)
	fmt.Fprintf(w, "\"this reply is useful\" over all %d comments (gold: Good):\n", comments)
	fmt.Fprintf(w, "  repertoire Useful                %s\n", prf(tp, fp, fn))
	fmt.Fprintf(w, "  baseline: every comment          %s\n", prf(good, comments-good, 0))
	fmt.Fprintf(w, "  baseline: every non-asker comment %s\n", prf(notAskerTP, notAskerFP, notAskFN))
	return nil
}
