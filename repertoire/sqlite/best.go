package sqlite

import "container/heap"

// bestOf keeps the keep items of highest score offered to it: a min-heap
// by score (container/heap), so items[0] is the lowest kept. An item
// scoring no more than that lowest, once keep are held, is not kept: the
// items kept strictly above the lowest are the same whatever the order
// they were offered in. It serves a top list's build (the cut is the
// lowest kept) and a search's seeds (their best candidates).
type bestOf[T any] struct {
	keep  int
	items []scored[T]
}

type scored[T any] struct {
	score float64
	v     T
}

func (h *bestOf[T]) Len() int           { return len(h.items) }
func (h *bestOf[T]) Less(i, j int) bool { return h.items[i].score < h.items[j].score }
func (h *bestOf[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *bestOf[T]) Push(x any)         { h.items = append(h.items, x.(scored[T])) }
func (h *bestOf[T]) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}

// admits says whether an item of this score would be kept (a caller may
// skip building one that would not).
func (h *bestOf[T]) admits(score float64) bool {
	return len(h.items) < h.keep || len(h.items) > 0 && score > h.items[0].score
}

// add keeps v when admits says so; the lowest kept leaves when keep are
// held already.
func (h *bestOf[T]) add(score float64, v T) {
	switch {
	case !h.admits(score):
	case len(h.items) >= h.keep:
		h.items[0] = scored[T]{score, v}
		heap.Fix(h, 0)
	default:
		heap.Push(h, scored[T]{score, v})
	}
}
