package both

import "testing"

// Test files neither report nor count as shrinking the package's maps.
func TestPut(t *testing.T) {
	put("k", nil)
	delete(cache, "k")
	cache["x"] = nil
}
