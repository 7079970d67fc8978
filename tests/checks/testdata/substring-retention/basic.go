package substringretention

import (
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"strings"
)

var headers [][]byte

var names []string

var index = map[string]string{}

type record struct {
	id   string
	body []byte
}

// Seed 004: a 5-byte header keeps a 10 MB file.
func getHeader() []byte {
	largeData, _ := ioutil.ReadFile("largefile.dat")
	return largeData[:5] // want `largeData\[:5\] is returned but shares the backing array of largeData \(from ioutil.ReadFile\)`
}

// Seed 002: through a local variable.
func small() []byte {
	large := make([]byte, 1<<20)
	small := large[:100] // want `large\[:100\] is returned \(through small\)`
	return small
}

func appendHeader(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	headers = append(headers, data[:16]) // want `assigned to the package-level variable headers`
	return nil
}

func firstLine(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	text := string(data)
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		return
	}
	names = append(names, text[:i]) // want `text\[:i\] is assigned to the package-level variable names .*from string\(data\)`
}

func remember(resp *http.Response, key string) {
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return
	}
	s := string(body)
	index[key] = s[2:10] // want `stored in the package-level index`
}

func (r *record) load(path string) {
	data, _ := os.ReadFile(path)
	r.id = string(data[:8])
	r.body = data[8:16] // want `stored in the field r.body`
}

func newRecord(path string) *record {
	data, _ := os.ReadFile(path)
	return &record{id: "x", body: data[:32]} // want `stored in a composite literal that is returned`
}

func named(path string) (out []byte) {
	data, _ := os.ReadFile(path)
	out = data[4:8] // want `data\[4:8\] is returned`
	return
}

func fields(path string) []string {
	data, _ := os.ReadFile(path)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if len(line) > 3 {
			out = append(out, line[:3]) // want `line\[:3\] is returned \(through out\)`
		}
	}
	return out
}

func readBuffer(r io.Reader) []byte {
	buf := make([]byte, 64*1024)
	n, _ := r.Read(buf)
	return buf[:n] // want `buf\[:n\] is returned .*make\(\[\]byte, 64\*1024\)`
}

func arrayBuffer(r io.Reader) []byte {
	var buf [1 << 16]byte
	n, _ := r.Read(buf[:])
	return buf[:n] // want `buf\[:n\] is returned .*var buf \[1 << 16\]byte`
}

func returnedRecord(path string) record {
	data, _ := os.ReadFile(path)
	var r record
	r.body = data[:4] // want `stored in the field r.body, and r is returned`
	return r
}
