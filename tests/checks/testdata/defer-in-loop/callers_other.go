package deferinloop

import "os"

// Callers of callers.go's functions in another file of the package.

func exampleOther(dir string) {
	writeFew(dir, []fileSpec{{"a", "1"}, {"b", "2"}, {"c", "3"}})
	writeByValue(dir, []fileSpec{{"a", "1"}})
}

// Look-alike: nine files, more than a handful.
func writeNine(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

func exampleNine(dir string) {
	writeNine(dir, []fileSpec{{"1", ""}, {"2", ""}, {"3", ""}, {"4", ""}, {"5", ""}, {"6", ""}, {"7", ""}, {"8", ""}, {"9", ""}})
}
