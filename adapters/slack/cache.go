package slack

import (
	"slices"
	"strings"
	"sync"

	"github.com/repertoire/repertoire/bot"
)

// cache keeps the text of messages seen in message events so that a
// reaction (which carries no text) needs no API call: conversations.history
// and conversations.replies are heavily rate limited. It is bounded; the
// oldest messages go first.
type cache struct {
	mu      sync.Mutex
	max     int
	msgs    map[string]bot.Message // channel/ts
	replies map[string][]string    // channel/root ts → reply ts
	order   []string
	private map[string]bool // channel → private, as Slack told us
}

func newCache(max int) *cache {
	return &cache{max: max, msgs: map[string]bot.Message{}, replies: map[string][]string{}, private: map[string]bool{}}
}

func key(ch, ts string) string { return ch + "/" + ts }

// put records or replaces a message.
func (c *cache) put(m bot.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(m)
}

func (c *cache) putLocked(m bot.Message) {
	k := key(m.Ref.Channel.ID, m.Ref.ID)
	if old, ok := c.msgs[k]; ok {
		if m.Link == "" {
			m.Link = old.Link
		}
		if m.Reactions == nil {
			m.Reactions = old.Reactions
		}
		c.msgs[k] = m
		return
	}
	c.msgs[k] = m
	c.order = append(c.order, k)
	if m.Ref.Thread != "" {
		rk := key(m.Ref.Channel.ID, m.Ref.Thread)
		c.replies[rk] = append(c.replies[rk], m.Ref.ID)
	}
	for len(c.order) > c.max {
		old := c.order[0]
		c.order = c.order[1:]
		delete(c.msgs, old)
		delete(c.replies, old)
	}
}

// edit replaces a message's text, keeping what else is known.
func (c *cache) edit(m bot.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.msgs[key(m.Ref.Channel.ID, m.Ref.ID)]; ok {
		old.Text = m.Text
		c.msgs[key(m.Ref.Channel.ID, m.Ref.ID)] = old
	}
}

func (c *cache) remove(ref bot.MessageRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.msgs, key(ref.Channel.ID, ref.ID))
}

// react records a reaction on a cached message (BestReply weighs them).
func (c *cache) react(ref bot.MessageRef, r bot.Reaction, add bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := key(ref.Channel.ID, ref.ID)
	m, ok := c.msgs[k]
	if !ok {
		return
	}
	m.Reactions = slices.DeleteFunc(slices.Clone(m.Reactions), func(x bot.Reaction) bool { return x == r })
	if add {
		m.Reactions = append(m.Reactions, r)
	}
	c.msgs[k] = m
}

// setLink remembers a permalink.
func (c *cache) setLink(ref bot.MessageRef, link string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.msgs[key(ref.Channel.ID, ref.ID)]; ok {
		m.Link = link
		c.msgs[key(ref.Channel.ID, ref.ID)] = m
	}
}

// thread answers bot.Platform.Thread from memory: the target and, when it
// is in a thread, the opening message first and the replies in order. It
// reports false when the target or its thread's opening message is unknown.
func (c *cache) thread(ref bot.MessageRef) ([]bot.Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	target, ok := c.msgs[key(ref.Channel.ID, ref.ID)]
	if !ok {
		return nil, false
	}
	rootTS := target.Ref.Thread
	if rootTS == "" {
		rootTS = target.Ref.ID
	}
	root, ok := c.msgs[key(ref.Channel.ID, rootTS)]
	if !ok {
		return nil, false
	}
	out := []bot.Message{root}
	ts := slices.Clone(c.replies[key(ref.Channel.ID, rootTS)])
	slices.SortFunc(ts, compareTS)
	for _, t := range slices.Compact(ts) {
		if m, ok := c.msgs[key(ref.Channel.ID, t)]; ok && t != rootTS {
			out = append(out, m)
		}
	}
	return out, true
}

func (c *cache) privacy(ch string) (private, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	private, known = c.private[ch]
	return
}

func (c *cache) setPrivacy(ch string, private bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.private[ch] = private
}

// compareTS orders Slack timestamps ("seconds.micros", fixed six digits).
func compareTS(a, b string) int {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) - len(bs)
	}
	if c := strings.Compare(as, bs); c != 0 {
		return c
	}
	return strings.Compare(af, bf)
}
