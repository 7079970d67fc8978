package unclosedbody

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Requests meant to fail: success is the odd case the test reports, there is no response to close.
func TestRefused(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1")
	if err == nil {
		t.Errorf("unexpected response: %d", resp.StatusCode)
	}
}

func TestRefusedWithReason(t *testing.T) {
	c := &http.Client{}
	resp, err := c.Get("http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("got %v, %v; want a refused connection", resp, err)
	}
}

func TestRefusedInit(t *testing.T) {
	if resp, err := http.Get("http://127.0.0.1:1"); err == nil {
		t.Fatalf("unexpected response %v", resp.Status)
	}
}

// prometheus scrape_test: a goroutine tells the test that success is the failure.
func TestCancelledInGoroutine(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		_, err := http.Get("http://127.0.0.1:1")
		switch {
		case err == nil:
			errc <- errors.New("expected error but got nil")
		case !strings.Contains(err.Error(), "refused"):
			errc <- err
		default:
			close(errc)
		}
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// The first case that may hold on success does not report it: the response is used.
func TestSwitchUsesSuccess(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://127.0.0.1:1") // want `never closed`
		switch {
		case err != nil:
			errc <- err
		case resp.StatusCode != 200:
			errc <- errors.New("not OK")
		default:
			close(errc)
		}
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Success is used, not reported: the body must be closed.
func TestSucceeds(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1") // want `never closed`
	if err == nil {
		t.Logf("status %d", resp.StatusCode)
	}
}

// No response is expected at all (httputil's reverseproxy_test: a cancelled request).
func TestCancelled(t *testing.T) {
	res, err := http.Get("http://127.0.0.1:1")
	if res != nil {
		t.Errorf("got response %v; want nil", res.Status)
	}
	if err == nil {
		t.Error("want an error")
	}
}

var errRefused = errors.New("refused")

// The test wants a particular error: the call fails, there is no response.
func TestWantsError(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1")
	if err != errRefused {
		t.Fatalf("got %v, want %v", err, errRefused)
	}
	resp, err := http.Get("http://127.0.0.1:1")
	if !errors.Is(err, errRefused) {
		t.Fatalf("got %v, %v", resp, err)
	}
}
