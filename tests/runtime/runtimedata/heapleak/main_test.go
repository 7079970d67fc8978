package main

import "testing"

// TestGrow serves requests as the server does; `go test -memprofile` profiles it.
func TestGrow(t *testing.T) {
	grow(500)
	if len(heads) != 500 {
		t.Fatalf("%d heads kept, want 500", len(heads))
	}
}
