package deferinloop

import (
	"os"
	"testing"
)

// A test helper every test calls with a literal of two files.
func createTestDir(t *testing.T, files []fileSpec) string {
	dir := t.TempDir()
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		f.WriteString(file.contents)
	}
	return dir
}

func TestTemplates(t *testing.T) {
	createTestDir(t, []fileSpec{{"T0.tmpl", "{{.}}"}, {"T1.tmpl", "{{.}}"}})
	specs := []fileSpec{{"a", "1"}}
	writeTested(t.TempDir(), specs)
}
