"""The one declarative table of resources: what needs releasing, by type; how it is released; what the fix inserts.

A value needs releasing when its type says so and the call that produced it
acquired it (an opener): the standard library's openers are the calls whose
result has one of the types below (minus the exceptions), the module's own
are found by summary (`summaries.py`). Each kind names the check that
reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from plumber.analysis.model.types import Named, Pointer, Type

# Packages that stand for others: their names are the same declarations.
EQUIVALENT_PACKAGES = {"golang.org/x/net/context": "context"}


@dataclass(frozen=True)
class ResourceKind:
    code: str  # the check that reports a leak of it
    what: str  # "file", "response body", "connection", ...
    methods: tuple[str, ...] = ("Close",)  # calling one of these on the value releases it
    field: str | None = None  # the resource is this field of the value (resp.Body)
    called: bool = False  # calling the value releases it (cancel())
    nil_on_error: bool = True  # the value is nil (or unusable) when the call's error is not nil
    release_nil_safe: bool = False  # releasing the nil value is harmless (the fix may go before the error check)
    call_args: str = ""  # what a call releasing it passes (`cancel(nil)` for a CancelCauseFunc)

    def release_text(self, var: str) -> str:
        """The statement the fix defers."""
        if self.called:
            return f"{var}({self.call_args})"
        target = f"{var}.{self.field}" if self.field else var
        return f"{target}.{self.methods[0]}()"


FILE = ResourceKind("unclosed-file", "file", release_nil_safe=True)
BODY = ResourceKind("unclosed-body", "response body", field="Body")
CONN = ResourceKind("unclosed-conn", "connection")
LISTENER = ResourceKind("unclosed-conn", "listener")
ROWS = ResourceKind("unclosed-conn", "rows")
STATEMENT = ResourceKind("unclosed-conn", "statement")
DB_CONN = ResourceKind("unclosed-conn", "database connection")
TX = ResourceKind("unclosed-conn", "transaction", methods=("Rollback", "Commit"))
GRPC_CONN = ResourceKind("unclosed-conn", "client connection")
PIPE = ResourceKind("unclosed-conn", "pipe end", release_nil_safe=True)
# C memory (C.CString, C.CBytes, C.malloc): released by passing it to C.free, borrowed by other C functions.
CGO = ResourceKind("cgo-not-freed", "C memory", methods=(), nil_on_error=False, release_nil_safe=True)
CANCEL = ResourceKind("lost-cancel", "cancel function", methods=(), called=True, nil_on_error=False)
CANCEL_CAUSE = ResourceKind(
    "lost-cancel", "cancel function", methods=(), called=True, nil_on_error=False, call_args="nil"
)

# (import path, type name) -> kind, for the value or a pointer to it
BY_TYPE: dict[tuple[str, str], ResourceKind] = {
    ("os", "File"): FILE,
    ("archive/zip", "ReadCloser"): FILE,
    ("net/http", "Response"): BODY,
    ("net", "Conn"): CONN,
    ("net", "TCPConn"): CONN,
    ("net", "UDPConn"): CONN,
    ("net", "UnixConn"): CONN,
    ("net", "IPConn"): CONN,
    ("net", "PacketConn"): CONN,
    ("crypto/tls", "Conn"): CONN,
    ("net", "Listener"): LISTENER,
    ("net", "TCPListener"): LISTENER,
    ("net", "UnixListener"): LISTENER,
    ("database/sql", "Rows"): ROWS,
    ("database/sql", "Stmt"): STATEMENT,
    ("database/sql", "Conn"): DB_CONN,
    ("database/sql", "Tx"): TX,
    ("google.golang.org/grpc", "ClientConn"): GRPC_CONN,
    ("context", "CancelFunc"): CANCEL,
    ("context", "CancelCauseFunc"): CANCEL_CAUSE,
}

# Standard-library calls whose resource-typed result the caller does not own, by (path, receiver type or "", name).
NOT_OPENERS = frozenset(
    {
        ("os", "", "NewFile"),  # wraps a descriptor the caller already has
        ("net/http/httptest", "ResponseRecorder", "Result"),  # the body is in memory
        ("net/http", "", "ReadResponse"),  # reads from a connection the caller owns; closing it is the caller's
        ("net", "", "FileConn"),  # a duplicate of a file the caller owns... still needs Close: kept out to be sure
        ("database/sql", "Row", "Scan"),
        ("os/exec", "Cmd", "StdinPipe"),  # Wait closes the pipes
        ("os/exec", "Cmd", "StdoutPipe"),
        ("os/exec", "Cmd", "StderrPipe"),
        ("net/http", "Request", "Context"),
        ("net", "", "Pipe"),  # an in-memory pair: no descriptor, no socket, nothing but memory to release
    }
)

# Standard-library constructors whose result's Close releases nothing but memory: the decompressors'
# Close does not close the reader they read from (their documentation says so), so a `defer r.Close()`
# of one in a loop holds no descriptor. By (path, name).
CLOSE_FREES_NOTHING = frozenset(
    {
        ("compress/gzip", "NewReader"),
        ("compress/flate", "NewReader"),
        ("compress/flate", "NewReaderDict"),
        ("compress/lzw", "NewReader"),
        ("compress/zlib", "NewReader"),
        ("compress/zlib", "NewReaderDict"),
    }
)

# Standard-library functions that use an argument and leave it with the caller, by (path, name): arg positions
# or None for all. (Calls to unknown functions outside the module count as hand-offs: silence beats a guess.)
KEEPS: dict[tuple[str, str], tuple[int, ...] | None] = {
    **{
        ("io", n): None
        for n in (
            "ReadAll",
            "Copy",
            "CopyN",
            "CopyBuffer",
            "ReadFull",
            "ReadAtLeast",
            "WriteString",
            "LimitReader",
            "TeeReader",
            "MultiReader",
            "MultiWriter",
            "NewSectionReader",
            "NewOffsetWriter",
        )
    },
    ("io/ioutil", "ReadAll"): None,
    **{("encoding/json", n): None for n in ("NewDecoder", "NewEncoder")},
    **{("encoding/xml", n): None for n in ("NewDecoder", "NewEncoder")},
    **{("encoding/gob", n): None for n in ("NewDecoder", "NewEncoder")},
    **{("encoding/csv", n): None for n in ("NewReader", "NewWriter")},
    **{
        ("bufio", n): None
        for n in ("NewReader", "NewReaderSize", "NewScanner", "NewWriter", "NewWriterSize", "NewReadWriter")
    },
    **{
        ("fmt", n): None
        for n in (
            "Fprint",
            "Fprintf",
            "Fprintln",
            "Fscan",
            "Fscanf",
            "Fscanln",
            "Print",
            "Printf",
            "Println",
            "Sprint",
            "Sprintf",
            "Sprintln",
            "Errorf",
        )
    },
    **{("log", n): None for n in ("Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf")},
    ("errors", "Is"): None,
    ("errors", "As"): None,
    **{("reflect", n): None for n in ("TypeOf", "ValueOf", "DeepEqual")},
    ("runtime/pprof", "StartCPUProfile"): None,  # StopCPUProfile does not close the writer
    ("runtime/pprof", "WriteHeapProfile"): None,
    ("runtime/trace", "Start"): None,
    ("os", "Chdir"): None,
    ("compress/gzip", "NewReader"): None,  # gzip.Reader.Close does not close the underlying reader
    ("compress/gzip", "NewWriter"): None,
    ("compress/gzip", "NewWriterLevel"): None,
    ("compress/zlib", "NewReader"): None,
    ("compress/zlib", "NewWriter"): None,
    ("compress/flate", "NewReader"): None,
    ("compress/flate", "NewWriter"): None,
    ("archive/tar", "NewReader"): None,
    ("archive/tar", "NewWriter"): None,
    ("archive/zip", "NewWriter"): None,
    ("crypto/sha256", "New"): None,
    ("net/http", "NewRequest"): None,  # the body is the caller's until the request is sent
    ("net/http", "NewRequestWithContext"): None,
    ("net/http/httputil", "DumpResponse"): None,
    ("strconv", "Itoa"): None,
    ("syscall", "Close"): None,
    ("os", "SameFile"): None,
}

# Of those, the ones that go on using the argument after they return (until a later Stop): a leak to report,
# but a `defer Close()` at the end of the caller would cut them off, so its fix is not safe.
KEEPS_IN_USE = frozenset({("runtime/pprof", "StartCPUProfile"), ("runtime/trace", "Start")})

# Standard-library functions that take ownership of an argument (close it, or keep it to close later), by
# (path, receiver type or "", name) -> argument positions.
TAKES: dict[tuple[str, str, str], tuple[int, ...]] = {
    ("net/http", "", "Serve"): (0,),
    ("net/http", "Server", "Serve"): (0,),
    ("net/http", "Server", "ServeTLS"): (0,),
    ("net/http", "", "ServeTLS"): (0,),
    ("crypto/tls", "", "NewListener"): (0,),
    ("crypto/tls", "", "Server"): (0,),
    ("crypto/tls", "", "Client"): (0,),
    ("net/http/httputil", "", "NewChunkedReader"): (),
    ("io", "", "NopCloser"): (),
    ("os/exec", "Cmd", "ExtraFiles"): (),
    ("net/rpc", "", "ServeConn"): (0,),
    ("net/rpc", "", "NewClient"): (0,),
    ("net/rpc/jsonrpc", "", "ServeConn"): (0,),
    ("net/rpc/jsonrpc", "", "NewClient"): (0,),
    ("net/textproto", "", "NewConn"): (0,),
    ("net/smtp", "", "NewClient"): (0,),
    ("runtime", "", "SetFinalizer"): (0,),
}


def resource_kind(t: Type | None) -> ResourceKind | None:
    """The kind of resource a value of type `t` is, if it is one."""
    if isinstance(t, Pointer):
        t = t.elem
    if not isinstance(t, Named):
        return None
    return BY_TYPE.get((EQUIVALENT_PACKAGES.get(t.path, t.path), t.name))
