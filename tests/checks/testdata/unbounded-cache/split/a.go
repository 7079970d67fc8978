// Package split writes its cache in a.go and evicts it in b.go: no finding.
package split

var cache = map[string][]byte{}

func get(key string) []byte {
	if v, ok := cache[key]; ok {
		return v
	}
	v := []byte(key)
	cache[key] = v
	return v
}
