package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

var ircLine = regexp.MustCompile(`^\[(\d\d):(\d\d)\] (?:<([^>]+)>|\* (\S+)) ?(.*)$`)

// evalIRC: the reply link the core chooses for each annotated message of
// the Ubuntu IRC dev samples against the people's links, beside the
// "replies to the previous message" baseline. System lines (joins, nick
// changes) are not chat messages and are left out of both.
func evalIRC(dir string, w io.Writer) error {
	raws, err := filepath.Glob(filepath.Join(dir, "*.raw.txt"))
	if err != nil {
		return err
	}
	if len(raws) == 0 {
		return fmt.Errorf("no *.raw.txt in %s", dir)
	}
	sort.Strings(raws)
	fmt.Fprintf(w, "== Conversation assembly: Ubuntu IRC disentanglement samples (Kummerfeld et al. 2019)\n")
	for _, raw := range raws {
		fmt.Fprintf(w, "reading %s (+ .annotation.txt)\n", raw)
	}
	var total, ours, prev, starts, oursStart, prevStart, selfGold int
	for _, raw := range raws {
		msgs, lineOf, err := readIRC(raw)
		if err != nil {
			return err
		}
		gold, err := readAnnotation(strings.TrimSuffix(raw, ".raw.txt") + ".annotation.txt")
		if err != nil {
			return err
		}
		links := bot.ReplyLinks(msgs)
		for i := range msgs {
			line := lineOf[i]
			parents, ok := gold[line]
			if !ok {
				continue
			}
			total++
			if parents[line] {
				selfGold++
			}
			if parents[lineOf[links[i]]] {
				ours++
				if links[i] == i {
					oursStart++
				}
			}
			p := line // the first message links to itself
			if i > 0 {
				p = lineOf[i-1]
			}
			if parents[p] {
				prev++
				if p == line {
					prevStart++
				}
			}
			if links[i] == i {
				starts++
			}
		}
	}
	fmt.Fprintf(w, "%d annotated chat messages in %d samples (%s of them start a conversation in the annotation)\n",
		total, len(raws), pct(selfGold, total))
	fmt.Fprintf(w, "reply-link accuracy:\n")
	fmt.Fprintf(w, "  repertoire ReplyLinks             %s  (%d of %d; it starts %d conversations, %d of them right)\n",
		pct(ours, total), ours, total, starts, oursStart)
	fmt.Fprintf(w, "  baseline: the previous message    %s  (%d of %d)\n", pct(prev, total), prev, total)
	return nil
}

// readIRC reads a raw log into messages; lineOf maps a message to its line
// number, the numbering of the annotation.
func readIRC(path string) ([]bot.Message, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var (
		msgs   []bot.Message
		lineOf []int
		day    time.Time
		last   time.Time
	)
	day = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 0; sc.Scan(); n++ {
		m := ircLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		at := day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
		if at.Before(last) {
			day = day.AddDate(0, 0, 1)
			at = at.AddDate(0, 0, 1)
		}
		last = at
		nick, text := m[3], m[5]
		if nick == "" {
			nick = m[4] // "* nick does something"
		}
		msgs = append(msgs, bot.Message{
			Ref:    bot.MessageRef{Channel: bot.ChannelRef{Platform: "irc", ID: "#ubuntu"}, ID: strconv.Itoa(n)},
			Author: bot.User{ID: nick, Name: nick}, Text: text, Time: at,
		})
		lineOf = append(lineOf, n)
	}
	return msgs, lineOf, sc.Err()
}

// readAnnotation reads "parent child -" lines into child → parents.
func readAnnotation(path string) (map[int]map[int]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[int]map[int]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err1 := strconv.Atoi(f[0])
		c, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		if a > c {
			a, c = c, a // the later message is the reply
		}
		if out[c] == nil {
			out[c] = map[int]bool{}
		}
		out[c][a] = true
	}
	return out, nil
}
