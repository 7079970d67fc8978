package multi

import "runtime"

func dial() *conn {
	c := &conn{}
	c.sess = &session{owner: c}
	runtime.SetFinalizer(c, func(c *conn) { c.sess = nil }) // want `\*conn, which can reach itself \(conn.sess -> session.owner -> conn\)`
	return c
}
