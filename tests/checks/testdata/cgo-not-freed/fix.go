package cgonotfreed

// #include <stdio.h>
// #include <stdlib.h>
import "C"

func fixSay(s string) {
	cs := C.CString(s) // want `cs is never freed`
	C.puts(cs)
}

func fixTwo(a, b string) {
	x := C.CString(a) // want `x is never freed`
	y := C.CString(b) // want `y is never freed`
	C.puts(x)
	C.puts(y)
}
