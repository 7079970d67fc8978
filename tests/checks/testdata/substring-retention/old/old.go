// Package old is a module whose go.mod says go 1.19: bytes.Clone (Go 1.20) is not available.
package old

import (
	"io/ioutil"
	"strings"
)

var tokens [][]byte

var words = map[int]string{}

func token(path string) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return
	}
	tokens = append(tokens, data[1:9]) // want `data\[1:9\] is assigned to the package-level variable tokens`
}

func word(path string, k int) {
	data, _ := ioutil.ReadFile(path)
	s := string(data)
	i := strings.IndexByte(s, ' ')
	if i > 0 {
		words[k] = s[:i] // want `s\[:i\] is stored in the package-level words`
	}
}
