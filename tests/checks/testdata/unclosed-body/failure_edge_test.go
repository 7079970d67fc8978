package unclosedbody

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func isTimeout(err error) bool { return err != nil && strings.Contains(err.Error(), "timeout") }

// etcd's http_health_check_test.go: the early return is taken only when the request failed.
func checkHealth(t *testing.T, client *http.Client, req *http.Request, expectTimeout bool) {
	resp, herr := client.Do(req)
	if expectTimeout {
		if herr != nil && strings.Contains(herr.Error(), context.DeadlineExceeded.Error()) {
			return
		}
	}
	if herr != nil {
		t.Fatal(herr)
	}
	defer resp.Body.Close()
}

// os/removeall_at.go, net/iprawsock_test.go: a predicate of the error is false on a nil error.
func checkPredicate(t *testing.T, client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if isTimeout(err) || os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
}

// --- still flagged: the early return may be taken after a success ---

func checkEither(t *testing.T, client *http.Client, req *http.Request, skip bool) {
	resp, err := client.Do(req) // want `not closed on every path`
	if skip || err != nil {
		return
	}
	defer resp.Body.Close()
}

func checkStatus(t *testing.T, client *http.Client, req *http.Request) {
	resp, err := client.Do(req) // want `not closed on every path`
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return
	}
	defer resp.Body.Close()
}

// prometheus's head_chunks.go: err holds the read's error now, so the return leaves the body open.
func readThenClose(client *http.Client, req *http.Request, buf []byte) (int, error) {
	resp, err := client.Do(req) // want `not closed on every path`
	if err != nil {
		return 0, err
	}
	n, err := resp.Body.Read(buf)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return n, resp.Body.Close()
}

func SyscallIsNotSupported(err error) bool {
	return err != nil && strings.Contains(err.Error(), "not supported")
}

// net/iprawsock_test.go: the early continue is taken only when the call failed as unsupported.
func checkUnsupported(t *testing.T, client *http.Client, reqs []*http.Request) {
	for _, req := range reqs {
		resp, err := client.Do(req)
		if SyscallIsNotSupported(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// http2's transport tests: a response's Body is never nil, so the guard is the success path.
func checkGuarded(t *testing.T, client *http.Client, req *http.Request) {
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Errorf("status %d", res.StatusCode)
	}
	if res != nil && res.Body != nil {
		res.Body.Close()
	}
}
