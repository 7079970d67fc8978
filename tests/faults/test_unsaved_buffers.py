"""A package file open in the editor but not yet on disk counts for package-wide checks at once:
no watched-files event is needed (unbounded-cache reads the package through the package index)."""

from __future__ import annotations

from faultutil import RawServer

A = """package p

var cache = map[string]int{}

func get(k string) int {
	if v, ok := cache[k]; ok {
		return v
	}
	cache[k] = len(k)
	return len(k)
}
"""
B_EVICTS = """package p

func evict(k string) { delete(cache, k) }
"""


def test_an_unsaved_sibling_buffer_is_part_of_the_package(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (d / "a.go").write_text(A)
    server = RawServer()
    try:
        server.initialize(root=str(tmp_path))
        a, b = (d / "a.go").as_uri(), (d / "b.go").as_uri()
        server.open(a, A)
        assert [x["code"] for x in server.diagnostics(a, 1)["diagnostics"]] == ["unbounded-cache"]
        assert not (d / "b.go").exists()
        server.open(b, B_EVICTS)  # a new file, never saved: it evicts from the cache
        server.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == a
                and m["params"]["diagnostics"] == []
            )
        )
        server.notify("textDocument/didClose", {"textDocument": {"uri": b}})  # closed unsaved: gone again
        server.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == a
                and [x["code"] for x in m["params"]["diagnostics"]] == ["unbounded-cache"]
            )
        )
        assert server.close() == 0
    finally:
        server.kill()
