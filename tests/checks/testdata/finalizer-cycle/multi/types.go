// Package multi declares its types in one file and sets finalizers in another.
package multi

type conn struct {
	sess *session
}

type session struct {
	owner *conn
	id    int
}
