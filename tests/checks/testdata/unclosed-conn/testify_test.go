package unclosedconn

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func isClosedConnError(err error) bool { return err != nil && errors.Is(err, net.ErrClosed) }

// etcd's listener_test.go: Accept on a listener closed just before must fail, said with testify.
func checkAcceptClosedTestify(t *testing.T, l net.Listener) {
	l.Close()
	_, err := l.Accept()
	require.Truef(t, isClosedConnError(err), "expect true, got false (%v)", err)
}

func TestDialFailsTestify(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	assert.Error(t, err)
	c, err := net.Dial("tcp", "127.0.0.1:2")
	require.ErrorIs(t, err, net.ErrClosed, "got %v", c)
}

// --- still flagged ---

func TestDialSucceedsTestify(t *testing.T) {
	c, err := net.Dial("tcp", "127.0.0.1:1") // want `c is never closed`
	require.NoError(t, err)
	t.Log(c.LocalAddr())
}

func TestDialTrueTestify(t *testing.T) {
	c, err := net.Dial("tcp", "127.0.0.1:1") // want `c is never closed`
	require.True(t, err == nil)
	t.Log(c.LocalAddr())
}
