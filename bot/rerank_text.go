package bot

import (
	"math"
	"strings"
)

// textFeatures sets the learned model's features that read the
// candidate's text line by line (rerank_model.go):
//
//   - cos_best_line: the question's cosine with the answer's best line. An
//     answer of many replies or comments holds the question's words
//     scattered over chatter; the reply that answers it holds them
//     together (SemEval-2016 subtask B's strong systems compare the new
//     question with the related thread's comments as well as its question).
//   - cos_title: the cosine of the question's first line with the first
//     line of the candidate's question (a thread's subject; 0 when the
//     entry has no question of its own, as a saved dialog).
//
// qv is the question weighed as the cosines weigh it; seqs[i] the
// candidate's words (its question's first qlen[i], the first titles[i] its
// first line), lines[i] where each line of its answer ends.
func textFeatures(feats [][]float64, question string, qv wvec, idf map[string]float64, seqs [][]string, qlen []int, lines [][]int, titles []int) {
	bestLine := NumRerankFeaturesFirst
	title := bestLine + 1
	qtitle, _, _ := strings.Cut(question, "\n")
	tv := weigh(wordCounts(qtitle), idf)
	counts := map[string]int{} // one line's, reused
	for i, f := range feats {
		start := qlen[i]
		best := 0.0
		for _, end := range lines[i] {
			if end > start {
				best = max(best, lineCosine(qv, seqs[i][start:end], idf, counts))
			}
			start = end
		}
		f[bestLine] = best
		if titles[i] > 0 {
			f[title] = wcosine(tv, weigh(countWords(seqs[i][:titles[i]]), idf))
		}
	}
}

// lineCosine is wcosine(qv, weigh(countWords(line), idf)) without
// building the line's vector (an answer has dozens of lines): a short
// line's repeated words are found by scanning it, a long one's counted in
// counts (scratch space).
func lineCosine(qv wvec, line []string, idf map[string]float64, counts map[string]int) float64 {
	if qv.norm == 0 || len(line) == 0 {
		return 0
	}
	dot, norm := 0.0, 0.0
	add := func(w string, c int) {
		x := idf[w]
		if c > 1 {
			x *= 1 + math.Log(float64(c))
		}
		norm += x * x
		if q, ok := qv.w[w]; ok {
			dot += x * q
		}
	}
	if len(line) > shortLine {
		clear(counts)
		for _, w := range line {
			counts[w]++
		}
		for w, c := range counts {
			add(w, c)
		}
	} else {
	words:
		for i, w := range line {
			for _, v := range line[:i] {
				if v == w {
					continue words // counted at its first place
				}
			}
			c := 1
			for _, v := range line[i+1:] {
				if v == w {
					c++
				}
			}
			add(w, c)
		}
	}
	if norm == 0 {
		return 0
	}
	return dot / (qv.norm * math.Sqrt(norm))
}

// shortLine is the longest line lineCosine scans for repeats instead of
// counting them in a map.
const shortLine = 24
