package helpers

var packageStr1 []string

var prefixes [][]byte

// Seed 000: 50 bytes of a 1 MiB string kept in a package-level slice.
func Demo1() {
	for i := 0; i < 10; i++ {
		// 1 MiB
		s := createStringWithLengthOnHeap(1 << 20)
		packageStr1 = append(packageStr1, s[:50]) // want `s\[:50\] is assigned to the package-level variable packageStr1 but shares the backing array of s \(from createStringWithLengthOnHeap\(1 << 20\)`
	}
}

func keepRepeated() string {
	s := repeated(128 << 10)
	return s[:10] // want `s\[:10\] is returned but shares the backing array of s`
}

func keepPrefix(path string) {
	data := load(path)
	prefixes = append(prefixes, data[:8]) // want `data\[:8\] is assigned to the package-level variable prefixes but shares the backing array of data \(from load, which returns os.ReadFile\)`
}

// Look-alikes that stay silent.

// A small length: the string is small.
func smallOne() {
	s := createStringWithLengthOnHeap(64)
	packageStr1 = append(packageStr1, s[:50])
}

// A length not known here.
func unknown(n int) string {
	s := createStringWithLengthOnHeap(n)
	return s[:10]
}

// Not always large.
func keepEither() []byte {
	b := either(true)
	return b[:4]
}

// Used within the function only.
func count() int {
	s := createStringWithLengthOnHeap(1 << 20)
	return len(s[:50])
}

// A slice with both bounds.
func keepMiddle() string {
	s := repeated(1 << 16)
	return s[8:16] // want `s\[8:16\] is returned but shares the backing array of s`
}
