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
