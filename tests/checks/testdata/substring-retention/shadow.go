package substringretention

import "os"

var shadowKept []string

// A local named strings: the fix cannot add the import, so none is offered.
func noFix(path string) {
	data, _ := os.ReadFile(path)
	strings := string(data)
	shadowKept = append(shadowKept, strings[:4]) // want `strings\[:4\] is assigned to the package-level variable shadowKept`
}
