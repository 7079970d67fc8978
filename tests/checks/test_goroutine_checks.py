"""The goroutine checks beyond their test data: channel ownership and the package index."""

from __future__ import annotations

import os

import pytest

from plumber.analysis.channels import CLOSE, LOOK, RANGE, RECV, SEND, channels
from plumber.analysis.context import FileContext
from plumber.diagnostics import endless_goroutine
from plumber.driver.engine import Engine
from plumber.syntax.parser import new_parser


def _channels(body: str):
    src = f"package p\n\nfunc f(p chan int, items []int) {{\n{body}\n}}\n".encode()
    ctx = FileContext(src, new_parser().parse(src))
    return {c.name: c for c in channels(ctx)}


@pytest.mark.parametrize(
    "body,name",
    [
        ("ch := make(chan int)\n\treturn ch", "ch"),  # returned (the syntax is what counts)
        ("ch := make(chan int)\n\tx := struct{ c chan int }{ch}\n\t_ = x", "ch"),  # in a composite literal
        ("ch := make(chan int)\n\tgo worker(ch)", "ch"),  # handed to a named function
        ("ch := make(chan int)\n\tp <- 1\n\tq := ch\n\t_ = q", "ch"),  # copied
        ("ch := make(chan int)\n\tf := func() { ch <- 1 }\n\tgo f()", "ch"),  # a closure run who knows when
        ("ch := make(chan int)\n\tch = nil", "ch"),  # reassigned
        ("ch := make(chan chan int)\n\tr := make(chan int)\n\tch <- r", "r"),  # sent on a channel
        ("ch := make(chan int)\n\tdefer func() { go func() { ch <- 1 }() }()", "ch"),  # started on return
        ("ch := make(<-chan int)\n\t_ = ch", "ch"),  # receive-only: made to be handed out
    ],
)
def test_channels_that_escape_are_not_ours(body, name):
    assert name not in _channels(body)


def test_ops_of_a_channel_that_stays_ours():
    chans = _channels("""\tch := make(chan int)
	defer func() { close(ch) }()
	go func(c chan int) {
		c <- len(c)
	}(ch)
	go func() {
		for v := range ch {
			_ = v
		}
	}()
	select {
	case v := <-ch:
		_ = v
	default:
	}
	if ch != nil {
		<-ch
	}""")
    ch = chans["ch"]
    kinds = [(o.kind, o.owner is not None, o.deferred, o.case is not None) for o in ch.ops]
    assert (CLOSE, False, True, False) in kinds
    assert (SEND, True, False, False) in kinds
    assert (RANGE, True, False, False) in kinds
    assert (RECV, False, False, True) in kinds
    assert (RECV, False, False, False) in kinds
    assert sum(1 for k in kinds if k[0] == LOOK) >= 2  # len(c), ch != nil (and the argument itself)
    assert ch.unbuffered and len(ch.goroutines(SEND, RANGE)) == 2


def test_endless_goroutine_reads_open_buffers_before_the_disk(tmp_path):
    disk = "package p\n\nfunc worker(ch chan int) {\n\tfor {\n\t\tif <-ch < 0 {\n\t\t\treturn\n\t\t}\n\t}\n}\n"
    buffer = "package p\n\n// edited\nfunc worker(ch chan int) {\n\tfor {\n\t\t<-ch\n\t}\n}\n"
    main = b"package p\n\nfunc start() {\n\tch := make(chan int)\n\tgo worker(ch)\n\tch <- 1\n}\n"
    (tmp_path / "worker.go").write_text(disk)
    (tmp_path / "main.go").write_bytes(main)
    worker_path = str(tmp_path / "worker.go")
    main_path = str(tmp_path / "main.go")
    opened: dict[str, tuple[int, bytes, object]] = {}
    engine = Engine([endless_goroutine.CHECK], overlay=lambda p: opened.get(p))

    def run():
        findings, failures = engine.analyze(engine.context(main_path, main, new_parser().parse(main)))
        assert not failures
        return findings

    assert run() == []  # on disk the worker returns
    src = buffer.encode()
    opened[os.path.abspath(worker_path)] = (1, src, new_parser().parse(src))
    (f,) = run()
    assert "worker (in worker.go), whose loop never ends" in f.message
    (rel,) = f.related
    assert rel.path == os.path.abspath(worker_path) and src[rel.start : rel.end] == b"for"
    del opened[os.path.abspath(worker_path)]
    assert run() == []  # closed without saving: the disk again
