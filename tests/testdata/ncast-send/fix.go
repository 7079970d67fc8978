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
