"""Summarizing the module's own functions from syntax: what each does with resources (`summaries.FuncSummary`).

Read once per parse of a file (`file_summaries`), from the tree alone: the
non-nil values each result position returns (a call's result, directly or
through one local, with the locals the caller cannot see replaced by what it
can), the fate of each parameter (released, taken, passed on to which
callee, only wrapped in the result), and whether the function never returns.
`summaries.Summaries` resolves them at call sites with the program's types.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from plumber.analysis.cfg import build
from plumber.analysis.model import exprs as E
from plumber.analysis.model.facts import DeclarationMemo, imports_of
from plumber.analysis.model.names import Names
from plumber.analysis.model.read_exprs import expr_of_node
from plumber.analysis.model.summaries import FuncSummary, ParamFate, Returned
from plumber.analysis.scope import declaration_of, declaring_scope, find_uses
from plumber.analysis.uses import Role, site_of
from plumber.syntax.exits import is_exit_text
from plumber.syntax.nodes import ancestor_below

_GO = frozenset({"go_statement"})

RELEASE_METHODS = frozenset({"Close", "Stop", "Rollback", "Commit", "Release", "Free"})
_LOCAL_BUILTINS = frozenset({"len", "cap", "print", "println"})


def _is_nil(node: Node, source: bytes) -> bool:
    return node.type == "nil" or (node.type == "identifier" and source[node.start_byte : node.end_byte] == b"nil")


def _may_return(source: bytes) -> Callable[[Node], bool]:
    def may_return(call: Node) -> bool:
        return not is_exit_text(source[call.start_byte : call.end_byte].decode("utf-8", "replace"))

    return may_return


def _params(fn: Node) -> list[Node]:
    plist = fn.child_by_field_name("parameters")
    out: list[Node] = []
    for p in plist.named_children if plist is not None else []:
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            names = p.children_by_field_name("name")
            out.extend(names if names else [p])  # an unnamed parameter: a placeholder node
    return out


def _result_count(fn: Node) -> int:
    result = fn.child_by_field_name("result")
    if result is None:
        return 0
    if result.type != "parameter_list":
        return 1
    n = 0
    for p in result.named_children:
        if p.type == "parameter_declaration":
            n += max(1, len(p.children_by_field_name("name")))
    return n


def summarize_function(fn: Node, names: Names) -> FuncSummary:
    source = names.source
    body = fn.child_by_field_name("body")
    count = _result_count(fn)
    results: list[list[Returned]] = [[] for _ in range(count)]
    # results nil at every return whose last value (the error) is not nil; None once a return says nothing
    nil_with_error: set[int] | None = set(range(count - 1)) if count > 1 else None
    if body is not None and count:
        for ret in _returns(body):
            vals = [c for c in ret.named_children if c.type != "comment"]
            if len(vals) == 1 and vals[0].type == "expression_list":
                vals = [c for c in vals[0].named_children if c.type != "comment"]
            if len(vals) != count:
                nil_with_error = None
            elif nil_with_error is not None and not _is_nil(vals[-1], source):
                nil_with_error &= {i for i, v in enumerate(vals[:-1]) if _is_nil(v, source)}
            if len(vals) == count:
                for i, v in enumerate(vals):
                    if not _is_nil(v, source):
                        results[i].append(_returned(v, names))
            elif len(vals) == 1 and count > 1:
                call = _closed_expr(vals[0], names)  # return f(): its results, in order
                for i in range(count):
                    results[i].append(Returned(call if isinstance(call, E.Call) else None, i))
            # a bare return of named results: nothing known about the values (left empty, not an opener)
            elif not vals:
                results = [[Returned(None)] for _ in range(count)]
    params = tuple(_param_fate(p, fn, names) for p in _params(fn))
    never = False
    if body is not None:
        cfg = build(fn, source, _may_return(source))
        never = cfg.noreturn and not cfg.has_error
    nils = tuple(sorted(nil_with_error)) if nil_with_error is not None and _returns_error(fn, source) else ()
    return FuncSummary(tuple(tuple(r) for r in results), params, never, nils)


def _returns_error(fn: Node, source: bytes) -> bool:
    """The last result's type is written `error`."""
    result = fn.child_by_field_name("result")
    last = result.named_children[-1] if result is not None and result.named_children else None
    t = last.child_by_field_name("type") if last is not None else None
    return t is not None and source[t.start_byte : t.end_byte] == b"error"


def _returns(body: Node) -> list[Node]:
    """The return statements of a body, not of the function literals inside it."""
    out: list[Node] = []
    stack = [body]
    while stack:
        n = stack.pop()
        for c in n.named_children:
            if c.type == "return_statement":
                out.append(c)
            elif c.type != "func_literal":
                stack.append(c)
    return out


def _closed_expr(node: Node, names: Names, depth: int = 0) -> E.Expr:
    """The IR of an expression with its local variables replaced by what the caller can know without this
    function's tree: a parameter's or receiver's declared type, a local's single-valued initializer."""
    decls: dict[int, Node] = {}

    def local(ident: Node) -> int | None:
        decl = declaration_of(names.source, ident)
        if decl is None:
            return None
        decls[decl.start_byte] = decl
        return decl.start_byte

    scoped = Names(names.source, names.pkg_path, names.imports, names.dot_imports, names.type_params,
                   names.local_types, local)  # fmt: skip
    ir = expr_of_node(node, scoped)

    def resolve(offset: int) -> E.Expr:
        decl = decls.get(offset)
        if decl is None or depth > 4:
            return E.OPAQUE
        holder = decl.parent
        if holder is not None and holder.type in ("parameter_declaration", "variadic_parameter_declaration"):
            from plumber.analysis.model.read_types import type_of_node

            t = type_of_node(holder.child_by_field_name("type"), scoped)
            if t is None or holder.type == "variadic_parameter_declaration":
                return E.OPAQUE
            return E.Known(t)
        if holder is not None and holder.type == "expression_list" and holder.parent is not None:
            stmt = holder.parent
            right = stmt.child_by_field_name("right")
            vals = [c for c in right.named_children if c.type != "comment"] if right is not None else []
            if stmt.type == "short_var_declaration" and len(vals) == len(holder.named_children) == 1:
                return _closed_expr(vals[0], names, depth + 1)
        return E.OPAQUE

    return _substitute(ir, resolve)


def _substitute(x: E.Expr, resolve: Callable[[int], E.Expr]) -> E.Expr:
    if isinstance(x, E.Local):
        return resolve(x.decl)
    if isinstance(x, E.Call):
        return E.Call(_substitute(x.fn, resolve), x.type_args, tuple(_substitute(a, resolve) for a in x.args))
    if isinstance(x, E.Select):
        return E.Select(_substitute(x.base, resolve), x.name)
    if isinstance(x, E.Unary):
        return E.Unary(x.op, _substitute(x.operand, resolve))
    if isinstance(x, E.Index):
        return E.Index(_substitute(x.base, resolve))
    if isinstance(x, E.SliceOf):
        return E.SliceOf(_substitute(x.base, resolve))
    if isinstance(x, E.Builtin):
        return E.Builtin(x.name, x.type, tuple(_substitute(a, resolve) for a in x.args))
    if isinstance(x, E.Binary):
        return E.Binary(x.op, _substitute(x.left, resolve), _substitute(x.right, resolve))
    return x


def _returned(value: Node, names: Names) -> Returned:
    while value.type == "parenthesized_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value.type == "call_expression":
        return Returned(_closed_expr(value, names))
    if value.type != "identifier":
        return Returned(None)
    decl = declaration_of(names.source, value)
    if decl is None:
        return Returned(None)
    holder = decl.parent
    index = 0
    if holder is not None and holder.type == "expression_list":
        index = holder.named_children.index(decl) if decl in holder.named_children else 0
        holder = holder.parent
    if holder is None or holder.type not in ("short_var_declaration", "var_spec"):
        return Returned(None)
    right = holder.child_by_field_name("right") or holder.child_by_field_name("value")
    vals = [c for c in right.named_children if c.type != "comment"] if right is not None else []
    if len(vals) != 1 or vals[0].type != "call_expression":
        return Returned(None)
    # assigned again anywhere: which value is returned is not known
    for u in find_uses(names.source, _root(value), declaring_scope(decl), decl):
        if site_of(u).role is Role.ASSIGNED:
            return Returned(None)
        if _closes_here(names.source, u, value):
            return Returned(None)  # `defer resp.Body.Close()` before `return resp, body, err`: released already
    return Returned(_closed_expr(vals[0], names), index)


def _closes_here(source: bytes, use: Node, returned: Node | None = None) -> bool:
    """The function releases the value it returns, so the caller gets nothing to close:

    - `defer v.Close()` (`defer resp.Body.Close()`): released as it returns (client_golang's api.Client.Do);
    - `v.Close()` in a function literal handed to `t.Cleanup(...)`, or returned beside it (`return f,
      func() { f.Close() }`): the test's cleanup, or the closer the caller is given, releases it;
    - `v.Close()` (or `err = v.Close()`) on the straight path before the `return`, in its block: closed.

    A close on an error path (`if err != nil { f.Close(); return nil, err }`) is none of these."""
    sel = use.parent
    if sel is not None and sel.type == "selector_expression" and source[sel.end_byte - 5 : sel.end_byte] == b".Body":
        sel = sel.parent
    if sel is None or sel.type != "selector_expression":
        return False
    field = sel.child_by_field_name("field")
    call = sel.parent
    if field is None or source[field.start_byte : field.end_byte] != b"Close" or call is None:
        return False
    if call.type != "call_expression":
        return False
    if call.parent is not None and call.parent.type == "defer_statement":
        return True
    n = call.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration"):
        if n.type == "func_literal":
            up = n.parent
            if up is not None and up.type == "argument_list" and up.parent is not None:
                f = up.parent.child_by_field_name("function")
                cleanup = f is not None and f.type == "selector_expression"
                if cleanup and source[f.end_byte - 7 : f.end_byte] == b"Cleanup":  # type: ignore[union-attr]
                    return True
            while up is not None and up.type in ("expression_list", "parenthesized_expression"):
                up = up.parent
            return up is not None and up.type == "return_statement"
        n = n.parent
    if returned is None:
        return False
    ret = returned.parent
    while ret is not None and ret.type != "return_statement":
        ret = ret.parent
    stmt = call
    while stmt.parent is not None and stmt.parent.type not in ("block", "statement_list"):
        stmt = stmt.parent
    return ret is not None and stmt.parent == ret.parent and stmt.end_byte <= ret.start_byte


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def _param_fate(param: Node, fn: Node, names: Names) -> ParamFate:
    if param.type != "identifier":
        return ParamFate()  # unnamed: unused
    releases = takes = wraps = False
    passes: list[tuple[E.Expr, int]] = []
    for u in find_uses(names.source, _root(param), fn, param):
        if _in_goroutine(u, fn):
            takes = True  # a goroutine started with it: its lifetime is not the call's
            continue
        site = site_of(u)
        role = site.role
        if role is Role.SELECTED:
            call = site_of(site.holder)
            if site.name in RELEASE_METHODS and call.role is Role.CALLED:
                releases = True
            elif site.name == "Body":  # p.Body.Close()
                body = site_of(site.holder)
                if body.role is Role.SELECTED and body.name == "Close":
                    releases = True
        elif role is Role.CALLED:
            releases = True
        elif role is Role.ARGUMENT:
            fn_node = site.holder.child_by_field_name("function")
            name = names.text(fn_node) if fn_node is not None else ""
            if fn_node is not None and fn_node.type == "identifier" and name in _LOCAL_BUILTINS:
                continue
            if name == "append":
                takes = True
                continue
            passes.append((_closed_expr(fn_node, names) if fn_node is not None else E.OPAQUE, site.index))
            outer = site_of(site.holder)
            if outer.role is Role.ELEMENT and _returned_literal(outer.holder):
                wraps = True  # `return &child{conn: newConn(rwc)}`: the result holds it, through a wrapper
        elif role is Role.ELEMENT and _returned_literal(site.holder):
            wraps = True
        elif role in (Role.RETURNED, Role.SENT, Role.ELEMENT, Role.ADDRESS_TAKEN):
            takes = True
        elif role in (Role.ASSIGNED_FROM, Role.DECLARED_FROM):
            takes = True  # kept in another variable, a field or an element: followed no further
    return ParamFate(releases, takes, tuple(passes), wraps and not takes and not releases)


def _returned_literal(literal: Node) -> bool:
    """A composite literal returned as it is (`return &T{p}`, `return T{p}`)."""
    site = site_of(literal)
    if site.role is Role.ADDRESS_TAKEN:
        site = site_of(site.holder)
    return site.role is Role.RETURNED


def _in_goroutine(use: Node, fn: Node) -> bool:
    return ancestor_below(use, _GO, fn) is not None


def file_summaries(
    source: bytes, root: Node, pkg_path: str, memo: DeclarationMemo | None = None
) -> dict[str, FuncSummary]:
    """Function name or "Type.Method" -> summary, for the file's functions and methods.

    `memo`: summaries by the function's text, from an earlier version of the same file (a summary reads
    only its function: names declared outside it are not locals); left holding this version's."""
    imports, dots = imports_of(source, root)
    if memo is not None:
        memo.fit(pkg_path, imports, dots)

    def local(ident: Node) -> int | None:
        decl = declaration_of(source, ident)
        return decl.start_byte if decl is not None else None

    names = Names(source, pkg_path, imports, dots, locals=local)
    out: dict[str, FuncSummary] = {}
    fresh: dict[tuple[bytes, int], FuncSummary] = {}
    for decl in root.named_children:
        if decl.type == "function_declaration":
            key = names.text(decl.child_by_field_name("name"))
        elif decl.type == "method_declaration":
            recv = _receiver_name(decl, names)
            if recv is None:
                continue
            key = f"{recv}.{names.text(decl.child_by_field_name('name'))}"
        else:
            continue
        if memo is None or decl.has_error:
            out[key] = summarize_function(decl, names)
            continue
        # by its shape too: after a syntax error elsewhere, tree-sitter may read the same text otherwise
        # (`os.ReadFile(path)` as a conversion); the node count tells such readings apart
        text = (source[decl.start_byte : decl.end_byte], decl.descendant_count)
        got = fresh.get(text) or memo.parts.get(text)
        if got is None:
            got = summarize_function(decl, names)
        out[key] = fresh[text] = got
    if memo is not None:
        memo.parts = fresh
    return out


def _receiver_name(decl: Node, names: Names) -> str | None:
    plist = decl.child_by_field_name("receiver")
    params = [c for c in plist.named_children if c.type == "parameter_declaration"] if plist is not None else []
    if len(params) != 1:
        return None
    t = params[0].child_by_field_name("type")
    while t is not None and t.type in ("pointer_type", "parenthesized_type", "generic_type"):
        t = t.child_by_field_name("type") if t.type == "generic_type" else next(iter(t.named_children), None)
    return names.text(t) if t is not None and t.type == "type_identifier" else None
