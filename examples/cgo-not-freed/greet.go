// Package cgonotfreed holds the cgo pattern of seed 002: C memory allocated
// through cgo and never freed.
package cgonotfreed

// #include <stdio.h>
// #include <stdlib.h>
import "C"

// Greet copies name into the C heap on every call and never frees it.
func Greet(name string) {
	cs := C.CString("hello, " + name) // leak: never freed
	C.puts(cs)
}
