package lostcancel

func (s *server) Close() {
	s.shutdown()
}

// job's cancel (basic.go) is called here: storing it hands it on.
func (j *job) done() { j.cancel() }
