package exportfile

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReaderUTF8 reads one byte at a time, so every multi-byte rune is split
// across reads: valid text passes whole, invalid bytes stop at their line.
func TestReaderUTF8(t *testing.T) {
	cases := []struct {
		name, in string
		line     int // 0: valid
	}{
		{"ascii", "[\n\"a\"\n]", 0},
		{"multi-byte runes split across reads", "[\n\"héllo 💡 ✅ 日本\"\n]", 0},
		{"invalid byte", "[\n\"ok\",\n\"bad \xff\"\n]", 3},
		{"truncated rune at the end", "[\"x\"]\n\xe2\x82", 2},
		{"overlong encoding", "[\n\n\"\xc0\xaf\"]", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(iotest.OneByteReader(strings.NewReader(c.in)))
			got, err := io.ReadAll(r)
			if c.line == 0 {
				if err != nil || string(got) != c.in {
					t.Fatalf("valid input: %q, %v", got, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("want ErrInvalidUTF8, got %v", err)
			}
			if line := r.Line(r.BadOffset()); line != c.line {
				t.Errorf("line %d, want %d", line, c.line)
			}
		})
	}
}

// TestNextLine checks that each element of a pretty-printed array is placed
// on the line where it starts.
func TestNextLine(t *testing.T) {
	in := "[\n  {\"a\": 1},\n  {\n    \"a\": 2\n  },\n\n  {\"a\": 3}\n]\n"
	r := NewReader(strings.NewReader(in))
	dec := json.NewDecoder(r)
	if err := Expect(dec, '[', "array"); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for dec.More() {
		lines = append(lines, r.NextLine(dec))
		var v map[string]int
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int{2, 3, 7}; len(lines) != 3 || lines[0] != want[0] || lines[1] != want[1] || lines[2] != want[2] {
		t.Errorf("lines %v, want %v", lines, want)
	}
	if err := Expect(dec, ']', "end"); err != nil {
		t.Fatal(err)
	}
	if err := End(dec); err != nil {
		t.Fatal(err)
	}
}

// TestValueLimit refuses a value larger than the limit instead of holding it
// in memory, while many small values pass.
func TestValueLimit(t *testing.T) {
	small := "[" + strings.Repeat(`"0123456789",`, 1000) + `"x"]`
	huge := `["` + strings.Repeat("a", 10000) + `"]`
	for _, c := range []struct {
		in   string
		fail bool
	}{{small, false}, {huge, true}} {
		r := NewReader(iotest.HalfReader(strings.NewReader(c.in)))
		r.SetLimit(4096)
		dec := json.NewDecoder(r)
		if err := Expect(dec, '[', "array"); err != nil {
			t.Fatal(err)
		}
		var err error
		for dec.More() && err == nil {
			r.NextLine(dec)
			var s string
			err = dec.Decode(&s)
		}
		if c.fail != errors.Is(err, ErrTooLarge) {
			t.Errorf("input of %d bytes: %v", len(c.in), err)
		}
	}
}
