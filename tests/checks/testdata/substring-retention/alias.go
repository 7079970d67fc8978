package substringretention

import (
	stdio "io"
	stdos "os"
	str "strings"
)

var aliased []string

func viaAliases(r stdio.Reader) string {
	data, _ := stdio.ReadAll(r)
	text := str.ToUpper("") + string(data)
	whole := string(data)
	_ = text
	return whole[:7] // want `whole\[:7\] is returned`
}

func viaOS(path string) {
	data, _ := stdos.ReadFile(path)
	s := str.TrimSpace(string(data))
	aliased = append(aliased, s[:5]) // want `s\[:5\] is assigned to the package-level variable aliased`
}
