package deferinloop

import "os"

type fileSpec struct{ name, contents string }

// Every caller (here and in callers_other.go) passes a literal of at most three files: the loop
// runs at most three times (text/template's createTestDir).
func writeFew(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close()
		f.WriteString(file.contents)
	}
}

func exampleOne(dir string) {
	writeFew(dir, []fileSpec{{"a", "1"}, {"b", "2"}})
}

// Look-alike: one caller passes a slice it got from elsewhere: the bound is unknown.
func writeMany(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

func exampleTwo(dir string, specs []fileSpec) {
	writeMany(dir, []fileSpec{{"a", "1"}})
	writeMany(dir, specs)
}

// Look-alike: exported, so callers outside the package are unknown.
func WriteExported(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

func exampleThree(dir string) {
	WriteExported(dir, []fileSpec{{"a", "1"}})
}

// Look-alike: the body grows what it ranges over.
func writeGrown(dir string, files []fileSpec) {
	files = append(files, fileSpec{"extra", ""})
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

func exampleFour(dir string) {
	writeGrown(dir, []fileSpec{{"a", "1"}})
}

// Look-alike: used as a value, its callers are unknown.
func writeByValue(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

var writers = []func(string, []fileSpec){writeByValue}

// Look-alike: a test of the package (callers_test.go) passes it a slice: unknown.
func writeTested(dir string, files []fileSpec) {
	for _, file := range files {
		f, err := os.Create(dir + "/" + file.name)
		if err != nil {
			return
		}
		defer f.Close() // want `defer f.Close\(\) in a loop`
		f.WriteString(file.contents)
	}
}

func exampleTested(dir string) {
	writeTested(dir, []fileSpec{{"a", "1"}})
}
