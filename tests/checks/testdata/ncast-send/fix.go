package ncastsend

type job struct{ id int }

func (j job) run() int { return j.id }

func firstResult(jobs []job) int {
	results := make(chan int) // want `results is unbuffered and received once`
	for _, j := range jobs {
		go func() {
			results <- j.run()
		}()
	}
	return <-results
}

func firstOfN(n int) int {
	c := make(chan int) // want `c is unbuffered and received once`
	for i := 0; i < n; i++ {
		go func() { c <- i }()
	}
	return <-c
}

func firstOfLen(ids []int) int {
	c := make(chan int) // want `c is unbuffered and received once`
	for i := 0; i < len(ids); i++ {
		go func() { c <- ids[i] }()
	}
	return <-c
}

func firstOfRange(n int) int {
	c := make(chan int) // want `c is unbuffered and received once`
	for i := range n {
		go func() { c <- i }()
	}
	return <-c
}

func firstOfEight() int {
	c := make(chan int) // want `c is unbuffered and received once`
	for i := range 8 {
		go func() { c <- i }()
	}
	return <-c
}

func check(id int) (int, error) { return id, nil }

// Each goroutine sends on one of two paths.
func firstValid(ids []int) int {
	c := make(chan int) // want `c is unbuffered and received once`
	for _, id := range ids {
		go func() {
			v, err := check(id)
			if err != nil {
				c <- -1
				return
			}
			c <- v
		}()
	}
	return <-c
}
