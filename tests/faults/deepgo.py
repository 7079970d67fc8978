"""Deeply nested Go text (the depth-squared fault): nested ifs, nested blocks, nested types."""

from __future__ import annotations


def nested_ifs(depth: int) -> str:
    """One function with `depth` nested ifs and an unclosed file at the bottom."""
    opening = "".join(f"\tif x > {i} {{\n" for i in range(depth))
    closing = "".join("\t}\n" for _ in range(depth))
    return (
        'package deep\n\nimport "os"\n\nfunc f(x int, name string) {\n'
        + opening
        + "\tf, _ := os.Open(name)\n\t_ = f\n"
        + closing
        + "}\n"
    )


def nested_blocks(depth: int) -> str:
    """One function with `depth` nested bare blocks (about 2 bytes each) and a leak at the bottom."""
    return (
        'package deep\n\nimport "os"\n\nfunc f(name string) {\n'
        + "{" * depth
        + "\nf, _ := os.Open(name)\n_ = f\n"
        + "}" * depth
        + "\n}\n"
    )


def nested_types(depth: int) -> str:
    """A struct type nested `depth` deep, with a finalizer set on a value of it."""
    inner = "int"
    for i in range(depth):
        inner = f"struct {{ f{i} {inner} }}"
    return (
        f'package deep\n\nimport "runtime"\n\ntype T {inner}\n\nfunc g() {{\n\tt := &T{{}}\n'
        "\truntime.SetFinalizer(t, func(*T) {})\n}\n"
    )
