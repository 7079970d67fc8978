package daemon

import "sync"

func init() {
	startAll()
	startShared()
}

// Handle runs per request.
func Handle(items []string) {
	for range items {
		spawnPerItem()
		ensureWaker()
	}
	startShared()
	startOnce()
	startWithOnce()
	grow()
	growLocal()
	maybeExit(false)
	startLost()
	for range items {
		viaNested()
	}
}

func viaNested() { startNested() }

var hooks = []func(){startHook}

var mu sync.Mutex

func Reexec() {
	mu.Lock()
	reexec()
}
