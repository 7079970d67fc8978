package blockedsend

import (
	"context"
	"errors"
)

func lookup(ctx context.Context, key string) (string, error) {
	var found = make(chan string) // want `found is unbuffered`
	go func() {
		found <- key + "!"
	}()
	if key == "" {
		return "", errors.New("empty key")
	}
	select {
	case v := <-found:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func explicitZero(fail bool) (int, error) {
	ch := make(chan int, 0) // want `ch is unbuffered`
	go func() { ch <- 1 }()
	if fail {
		return 0, errors.New("failed")
	}
	return <-ch, nil
}

// A receive-only channel made here cannot be sent on by anyone: not ours to judge.
func receiveOnly() <-chan int {
	ch := make(<-chan int)
	return ch
}

func check(string) error { return nil }

// The goroutine sends on one of two paths: a capacity of 1 is enough.
func branches(name string, fail bool) error {
	errc := make(chan error) // want `errc is unbuffered`
	go func() {
		if err := check(name); err != nil {
			errc <- err
			return
		}
		errc <- nil
	}()
	if fail {
		return errors.New("failed")
	}
	return <-errc
}

func ifElse(name string, fail bool) error {
	errc := make(chan error) // want `errc is unbuffered`
	go func() {
		if name == "" {
			errc <- errors.New("empty")
		} else {
			errc <- check(name)
		}
	}()
	if fail {
		return errors.New("failed")
	}
	return <-errc
}
