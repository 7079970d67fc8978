// Package both writes its cache in two files and evicts it nowhere: both writes are flagged.
package both

var cache = map[string][]byte{}

func get(key string) []byte {
	if v, ok := cache[key]; ok {
		return v
	}
	v := []byte(key)
	cache[key] = v // want `the package-level map cache only grows: get adds to it`
	return v
}
