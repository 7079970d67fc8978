package cgonotfreed

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"fmt"
	"os"
)

func fixBlock(s string) {
	p := C.CString(s) // want `p is never freed`
	fmt.Fprintln(os.Stdout, C.strlen(p))
}
