// Package exportfile holds what the export readers (slackexport,
// discordexport) share: a reader that knows the line of any recent byte
// offset and refuses invalid UTF-8 (encoding/json would silently replace it),
// and the error that names the file and line of broken input.
package exportfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"
)

// Error is broken input at a place in a file.
type Error struct {
	File string
	Line int // 0 when the whole file is meant
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrInvalidUTF8 is text that is not UTF-8.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// Reader counts lines and checks UTF-8 as a JSON decoder reads through it.
type Reader struct {
	r    io.Reader
	off  int64   // bytes passed on
	base int     // newlines before nl[0]
	nl   []int64 // offsets of the newlines passed on recently
	tail []byte  // an incomplete rune at the end of the last read
	bad  int64   // offset of invalid UTF-8, -1 when none
	mark int64   // where the value being decoded started
	max  int64   // bytes one value may take
}

// MaxValueBytes bounds one decoded value (a message, a user): json.Decoder
// holds a whole value in memory, so a file with one huge value is refused
// rather than read into memory.
const MaxValueBytes = 64 << 20

// ErrTooLarge is a single value over MaxValueBytes.
var ErrTooLarge = fmt.Errorf("a single value is over %d MiB", MaxValueBytes>>20)

// Mark tells the reader a new value starts: MaxValueBytes counts from here.
func (l *Reader) Mark() { l.mark = l.off }

// NewReader wraps r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, bad: -1, max: MaxValueBytes} }

// SetLimit changes the bound on one value (tests use a small one).
func (l *Reader) SetLimit(n int64) { l.max = n }

const keepNewlines = 1 << 16

// Read passes bytes on up to the first invalid UTF-8 sequence, then fails
// with ErrInvalidUTF8.
func (l *Reader) Read(p []byte) (int, error) {
	if l.bad >= 0 {
		return 0, ErrInvalidUTF8
	}
	if l.off-l.mark > l.max {
		return 0, ErrTooLarge
	}
	n, err := l.r.Read(p)
	good, invalid := l.check(p[:n], err != nil)
	for i := 0; i < good; {
		j := bytes.IndexByte(p[i:good], '\n')
		if j < 0 {
			break
		}
		l.nl = append(l.nl, l.off+int64(i+j))
		i += j + 1
	}
	if len(l.nl) > keepNewlines {
		half := len(l.nl) / 2
		l.base += half
		l.nl = append(l.nl[:0], l.nl[half:]...)
	}
	l.off += int64(good)
	if invalid {
		l.bad = l.off
		if good == 0 {
			return 0, ErrInvalidUTF8
		}
		return good, nil
	}
	return n, err
}

// check returns how many bytes of p are valid UTF-8 and whether invalid
// UTF-8 follows them, keeping an incomplete rune at the end for the next read
// unless the input ended.
func (l *Reader) check(p []byte, last bool) (int, bool) {
	buf := p
	if len(l.tail) > 0 {
		buf = append(append([]byte(nil), l.tail...), p...)
	}
	prefix := len(buf) - len(p)
	i := 0
	for i < len(buf) {
		c := buf[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && size <= 1 {
			if !last && !utf8.FullRune(buf[i:]) {
				l.tail = append(l.tail[:0], buf[i:]...)
				return len(p), false // the rest is checked with the next read
			}
			return max(i-prefix, 0), true
		}
		i += size
	}
	l.tail = l.tail[:0]
	return len(p), false
}

// Line returns the 1-based line of byte offset off (as json.Decoder's
// InputOffset gives it). Offsets far behind the last read are approximate.
func (l *Reader) Line(off int64) int {
	return l.base + sort.Search(len(l.nl), func(i int) bool { return l.nl[i] >= off }) + 1
}

// BadOffset is where invalid UTF-8 was found, or -1.
func (l *Reader) BadOffset() int64 { return l.bad }

// Explain turns a decoding error at the decoder's position into an Error
// naming file and line.
func (l *Reader) Explain(file string, dec *json.Decoder, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	off := dec.InputOffset()
	var se *json.SyntaxError
	switch {
	case errors.Is(err, ErrInvalidUTF8):
		off = l.bad
	case errors.As(err, &se):
		off = se.Offset
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		err = fmt.Errorf("file ends too early (truncated?): %w", io.ErrUnexpectedEOF)
		off = l.off
	}
	return &Error{File: file, Line: l.Line(off), Err: err}
}

// Expect reads the next token and checks it is the delimiter want.
func Expect(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("not %s: found %v where %q was expected", what, tok, want)
	}
	return nil
}

// End checks that nothing but white space follows the top-level value.
func End(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("unexpected data after the end of the export")
		}
		return err
	}
	return nil
}

// NextLine returns the line where the decoder's next value starts, looking
// past white space and a separating comma in its buffer, and marks the start
// of that value.
func (l *Reader) NextLine(dec *json.Decoder) int {
	l.Mark()
	line := l.Line(dec.InputOffset())
	br, ok := dec.Buffered().(io.ByteReader)
	if !ok {
		return line
	}
	for range 256 {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		switch c {
		case '\n':
			line++
		case ' ', '\t', '\r', ',':
		default:
			return line
		}
	}
	return line
}
