package substringretention

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strings"
)

var kept []string

var keptBytes [][]byte

// Used locally only.
func countPrefix(path string) int {
	data, _ := os.ReadFile(path)
	head := data[:4]
	return bytes.Count(head, []byte("a"))
}

// Already cloned or copied.
func cloned(path string) {
	data, _ := os.ReadFile(path)
	text := string(data)
	kept = append(kept, strings.Clone(text[:10]))
	keptBytes = append(keptBytes, bytes.Clone(data[:10]))
	keptBytes = append(keptBytes, append([]byte(nil), data[:10]...))
	kept = append(kept, string(data[:10]))
}

// Seed 004: the fixed version copies into a fresh slice.
func getHeaderFixed() []byte {
	largeData, _ := os.ReadFile("largefile.dat")
	header := make([]byte, 5)
	copy(header, largeData[:5])
	return header
}

// Seed 002: string(buf[:n]) copies.
func getGoroutineStack() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// Most of the buffer: trimming a trailing newline, a tail.
func trimmed(path string) []byte {
	data, _ := os.ReadFile(path)
	return data[:len(data)-1]
}

func tail(path string) []byte {
	data, _ := os.ReadFile(path)
	return data[4:]
}

// Buffers of unknown or small size.
func param(s string) string {
	return s[:3]
}

func smallBuf(r io.Reader) []byte {
	buf := make([]byte, 512)
	n, _ := r.Read(buf)
	return buf[:n]
}

// etcd's tools/local-tester bridge: a page-sized read buffer per call is what reading costs.
func pageBuf(r io.Reader) ([]byte, error) {
	b := make([]byte, 4096)
	n, err := r.Read(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

func sized(r io.Reader, n int) []byte {
	buf := make([]byte, n)
	m, _ := r.Read(buf)
	return buf[:m]
}

// The variable is replaced before it is kept.
func replaced(path string) []byte {
	data, _ := os.ReadFile(path)
	data = bytes.ToUpper(data)
	return data[:4]
}

// Shadowing: this os is not the os package.
type fakeOS struct{}

func (fakeOS) ReadFile(string) ([]byte, error) { return make([]byte, 8), nil }

func shadowed(path string) []byte {
	os := fakeOS{}
	data, _ := os.ReadFile(path)
	return data[:4]
}

// A local slice that does not escape.
func local(path string) int {
	data, _ := os.ReadFile(path)
	var parts [][]byte
	parts = append(parts, data[:2])
	return len(parts)
}

// Sent or passed on: not a case this check claims.
func passed(path string, f func([]byte)) {
	data, _ := os.ReadFile(path)
	f(data[:3])
}

// An inner variable shadows the large buffer.
func shadowedVar(path string) []byte {
	data, _ := os.ReadFile(path)
	if len(data) > 0 {
		data := []byte("small")
		return data[:2]
	}
	return nil
}

// A small array.
func smallArray(r io.Reader) []byte {
	var buf [64]byte
	n, _ := r.Read(buf[:])
	return buf[:n]
}

// A local struct that stays in the function.
func localRecord(path string) int {
	data, _ := os.ReadFile(path)
	var r record
	r.body = data[:4]
	return len(r.body)
}
