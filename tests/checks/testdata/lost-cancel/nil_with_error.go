package lostcancel

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// start gives the cancel function only with a response: with an error it cancels itself and returns a nil
// cancel (prometheus storage/remote/client.go's executeReadRequest).
func start(ctx context.Context, req *http.Request) (*http.Response, context.CancelFunc, error) {
	if req == nil {
		return nil, nil, errors.New("no request")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return resp, cancel, nil
}

func read(ctx context.Context, req *http.Request) error {
	resp, cancel, err := start(ctx, req)
	if err != nil {
		return err // nothing to cancel here
	}
	defer cancel()
	return resp.Body.Close()
}

// startLoose returns its cancel with the error too: the caller must still call it.
func startLoose(ctx context.Context, fail bool) (context.Context, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(ctx)
	if fail {
		return ctx, cancel, errors.New("failed")
	}
	return ctx, cancel, nil
}

func readLoose(ctx context.Context) error {
	ctx, cancel, err := startLoose(ctx, true) // want `cancel is not called on every path`
	if err != nil {
		return err
	}
	defer cancel()
	return ctx.Err()
}
