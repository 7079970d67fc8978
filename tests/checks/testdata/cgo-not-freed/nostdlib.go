package cgonotfreed

// #include <stdio.h>
import "C"

func noStdlib(s string) {
	cs := C.CString(s) // want `cs is never freed`
	C.puts(cs)
}
