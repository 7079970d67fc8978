package cgonotfreed

/*
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void use(void *p) { (void)p; }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

type holder struct{ p *C.char }

var global unsafe.Pointer

func say(s string) {
	cs := C.CString(s) // want `cs is never freed: the memory C.CString allocates`
	C.puts(cs)
}

func length(b []byte) int {
	p := C.CBytes(b) // want `p is never freed: the memory C.CBytes allocates`
	return int(C.strlen((*C.char)(p)))
}

func buffer(n int) {
	buf := (*C.char)(C.malloc(C.size_t(n))) // want `buf is never freed: the memory C.malloc allocates`
	C.use(unsafe.Pointer(buf))
}

func roundTrip(s string) string {
	cs := C.CString(s) // want `cs is never freed`
	return C.GoString(cs)
}

func unbound(s string) {
	C.puts(C.CString(s)) // want `passed on and never freed`
}

// --- look-alikes that must stay silent ---

func freed(s string) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	C.puts(cs)
}

func freedInClosure(s string) {
	cs := C.CString(s)
	defer func() {
		C.free(unsafe.Pointer(cs))
	}()
	C.puts(cs)
}

func freedDirectly(n int) {
	p := C.malloc(C.size_t(n))
	C.use(p)
	C.free(p)
}

func returned(s string) *C.char {
	cs := C.CString(s)
	return cs
}

func stored(s string) *holder {
	cs := C.CString(s)
	return &holder{p: cs}
}

func storedGlobal(n int) {
	p := C.malloc(C.size_t(n))
	global = p
}

func passedToGo(s string) {
	cs := C.CString(s)
	release(cs)
}

func release(p *C.char) { C.free(unsafe.Pointer(p)) }

func notC(s string) {
	fmt.Println(s)
}

// Freed on one branch only: the other path leaks.
func freedOnOneBranch(s string, ok bool) {
	cs := C.CString(s) // want `cs is not freed on every path`
	if ok {
		C.free(unsafe.Pointer(cs))
		return
	}
	C.puts(cs)
}

// Freed on both branches.
func freedOnBoth(s string, ok bool) {
	cs := C.CString(s)
	if ok {
		C.free(unsafe.Pointer(cs))
		return
	}
	C.puts(cs)
	C.free(unsafe.Pointer(cs))
}
