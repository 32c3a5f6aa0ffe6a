package recent

import (
	"fmt"
	"testing"
)

func TestMapKeepsLatestAndStaysBounded(t *testing.T) {
	var m Map[int]
	m.Max = 3
	m.Put("a", 1)
	m.Put("a", 2)
	if v, ok := m.Get("a"); !ok || v != 2 {
		t.Fatalf("Get(a) = %v, %v; want 2, true", v, ok)
	}
	if _, ok := m.Get("b"); ok {
		t.Fatal("Get(b) found a value never put")
	}
	for i := range 10 {
		m.Put(fmt.Sprint(i), i)
		if len(m.m) > m.Max {
			t.Fatalf("holds %d entries, more than Max %d", len(m.m), m.Max)
		}
	}
	if v, ok := m.Get("9"); !ok || v != 9 {
		t.Fatalf("the latest value is gone: %v, %v", v, ok)
	}
}
