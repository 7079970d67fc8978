package unclosedconn

// Not vetted (see tests/test_checks.py): google.golang.org/grpc is not available offline.

import (
	"context"

	"google.golang.org/grpc"
)

type client struct{ cc *grpc.ClientConn }

// Seed 001: a gRPC connection opened inside a goroutine and never closed.
func seed001(target string) {
	go func() {
		conn, err := grpc.Dial(target) // want `conn is never closed: the client connection opened by grpc.Dial`
		if err != nil {
			return
		}
		_ = conn.Target()
	}()
}

func newClient(target string) error {
	cc, err := grpc.NewClient(target) // want `cc is never closed`
	if err != nil {
		return err
	}
	cc.Connect()
	return nil
}

func dialContext(ctx context.Context, target string) {
	cc, _ := grpc.DialContext(ctx, target) // want `cc is never closed`
	_ = cc.GetState()
}

type GreeterClient interface{ Greet() }

type greeter struct{ cc grpc.ClientConnInterface }

func (greeter) Greet() {}

// NewGreeterClient stands for a generated stub: it keeps the connection.
func NewGreeterClient(cc grpc.ClientConnInterface) GreeterClient { return greeter{cc} }

func stubDropped(target string) {
	conn, err := grpc.NewClient(target) // want `conn is never closed`
	if err != nil {
		return
	}
	c := NewGreeterClient(conn)
	c.Greet()
}

func stubOnTheSpot(target string) {
	conn, _ := grpc.NewClient(target) // want `conn is never closed`
	NewGreeterClient(conn).Greet()
}

func stubReturned(target string) (GreeterClient, error) {
	conn, err := grpc.NewClient(target)
	if err != nil {
		return nil, err
	}
	return NewGreeterClient(conn), nil
}

func stubKept(target string) GreeterClient {
	conn, _ := grpc.NewClient(target)
	c := NewGreeterClient(conn)
	return c
}

func closed(target string) error {
	cc, err := grpc.NewClient(target)
	if err != nil {
		return err
	}
	defer cc.Close()
	return nil
}

func kept(target string) (*client, error) {
	cc, err := grpc.NewClient(target)
	if err != nil {
		return nil, err
	}
	return &client{cc: cc}, nil
}
