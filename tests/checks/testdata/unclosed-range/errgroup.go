package unclosedrange

import "sync"

type group struct{ wg sync.WaitGroup }

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		_ = f()
	}()
}

func (g *group) Wait() { g.wg.Wait() }

// The producer runs in an errgroup-style helper, which may well close the channel: silent.
func viaGroup(items []int) int {
	var g group
	ch := make(chan int)
	g.Go(func() error {
		defer close(ch)
		for _, it := range items {
			ch <- it
		}
		return nil
	})
	total := 0
	for v := range ch {
		total += v
	}
	g.Wait()
	return total
}
