// Package escape is a compiler's: its memo is bounded by one compilation (cmd/compile/internal/escape).
package escape

import "strconv"

var leakTagCache = map[int]string{}

// Tag names a leak.
func Tag(l int) string {
	if s, ok := leakTagCache[l]; ok {
		return s
	}
	s := strconv.Itoa(l)
	leakTagCache[l] = s
	return s
}
