"""pprof's binary profile format: gzipped protocol buffers, read into an immutable view.

What `/debug/pprof/heap`, `/debug/pprof/goroutine`, `/debug/pprof/goroutineleak`
(debug=0, the default), `runtime/pprof.WriteHeapProfile` and
`go test -memprofile` write. The message classes come from the `protobuf`
package, built at import from the schema below (no protoc, no generated
code); decoding is bounded:

- at most `MAX_COMPRESSED` bytes of input and `MAX_DECOMPRESSED` bytes once
  decompressed; gzip is inflated in steps of bounded output, so a zip bomb
  stops at the cap instead of filling memory;
- truncated gzip, corrupt gzip or protobuf, input that is neither, and a
  profile whose references do not resolve (a string, location or function
  index out of range, sample values not matching the sample types) raise
  `ProfileError` with a sentence saying which.

A goroutine or goroutineleak profile in this form records, per distinct stack,
the number of goroutines and their pprof labels: no wait reason, wait time or
creation site (Go 1.27.3 writes these only in the debug=2 text). The leak flag
is the profile's own sample type: every goroutine of a `goroutineleak/count`
profile was reported by the leak detector. `goroutine_profile` turns such a
profile into the `parse.Profile` the `leaked-goroutine` findings are made from,
as a debug=1 text profile would be.
"""

from __future__ import annotations

import builtins
import zlib
from dataclasses import dataclass
from itertools import chain
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory

from plumber.runtime.parse import CLASSIC, LEAK, Frame, Profile, ProfileError, Stack

GZIP_MAGIC = b"\x1f\x8b"
MAX_COMPRESSED = 64 << 20  # bytes read from a file or URL
MAX_DECOMPRESSED = 256 << 20  # bytes a profile may expand to
_STEP = 1 << 20  # bytes inflated at a time

HEAP_TYPES = ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects")


def _schema() -> descriptor_pb2.FileDescriptorProto:
    """perftools.profiles as published in google/pprof's proto/profile.proto
    (https://github.com/google/pprof/blob/main/proto/profile.proto, last changed in commit
    101d87ff5bc37124090081eb492825d9439a6a53, 2025-08-30): every message and field, same numbers."""
    F = descriptor_pb2.FieldDescriptorProto
    i64, u64, boolean, string, msg = F.TYPE_INT64, F.TYPE_UINT64, F.TYPE_BOOL, F.TYPE_STRING, F.TYPE_MESSAGE
    one, many = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    messages: dict[str, list[tuple[Any, ...]]] = {
        "Profile": [
            ("sample_type", 1, msg, many, "ValueType"),
            ("sample", 2, msg, many, "Sample"),
            ("mapping", 3, msg, many, "Mapping"),
            ("location", 4, msg, many, "Location"),
            ("function", 5, msg, many, "Function"),
            ("string_table", 6, string, many),
            ("drop_frames", 7, i64, one),
            ("keep_frames", 8, i64, one),
            ("time_nanos", 9, i64, one),
            ("duration_nanos", 10, i64, one),
            ("period_type", 11, msg, one, "ValueType"),
            ("period", 12, i64, one),
            ("comment", 13, i64, many),
            ("default_sample_type", 14, i64, one),
            ("doc_url", 15, i64, one),
        ],
        "ValueType": [("type", 1, i64, one), ("unit", 2, i64, one)],
        "Sample": [("location_id", 1, u64, many), ("value", 2, i64, many), ("label", 3, msg, many, "Label")],
        "Label": [("key", 1, i64, one), ("str", 2, i64, one), ("num", 3, i64, one), ("num_unit", 4, i64, one)],
        "Mapping": [
            ("id", 1, u64, one),
            ("memory_start", 2, u64, one),
            ("memory_limit", 3, u64, one),
            ("file_offset", 4, u64, one),
            ("filename", 5, i64, one),
            ("build_id", 6, i64, one),
            ("has_functions", 7, boolean, one),
            ("has_filenames", 8, boolean, one),
            ("has_line_numbers", 9, boolean, one),
            ("has_inline_frames", 10, boolean, one),
        ],
        "Location": [
            ("id", 1, u64, one),
            ("mapping_id", 2, u64, one),
            ("address", 3, u64, one),
            ("line", 4, msg, many, "Line"),
            ("is_folded", 5, boolean, one),
        ],
        "Line": [("function_id", 1, u64, one), ("line", 2, i64, one), ("column", 3, i64, one)],
        "Function": [
            ("id", 1, u64, one),
            ("name", 2, i64, one),
            ("system_name", 3, i64, one),
            ("filename", 4, i64, one),
            ("start_line", 5, i64, one),
        ],
    }
    fd = descriptor_pb2.FileDescriptorProto(name="plumber/profile.proto", package="perftools.profiles", syntax="proto3")
    for name, fields in messages.items():
        m = fd.message_type.add(name=name)
        for fname, number, ftype, label, *ref in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label)
            if ref:
                f.type_name = ".perftools.profiles." + ref[0]
    return fd


_POOL = descriptor_pool.DescriptorPool()  # its own pool: no clash with another perftools.profiles
_POOL.Add(_schema())
ProfileMessage = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("perftools.profiles.Profile"))


@dataclass(frozen=True, slots=True)
class ValueType:
    type: str
    unit: str

    def __str__(self) -> str:
        return f"{self.type}/{self.unit}"


@dataclass(frozen=True, slots=True)
class Label:
    key: str
    str: builtins.str  # "" when the label is numeric
    num: int
    num_unit: builtins.str


@dataclass(frozen=True, slots=True)
class Sample:
    values: tuple[int, ...]  # one per sample type
    frames: tuple[Frame, ...]  # innermost first, inlined calls expanded
    labels: tuple[Label, ...] = ()


@dataclass(frozen=True, slots=True)
class PprofProfile:
    sample_types: tuple[ValueType, ...]
    samples: tuple[Sample, ...]
    period_type: ValueType | None = None
    period: int = 0
    time_nanos: int = 0
    duration_nanos: int = 0
    default_sample_type: str = ""
    comments: tuple[str, ...] = ()

    def index(self, sample_type: str) -> int | None:
        for i, t in enumerate(self.sample_types):
            if t.type == sample_type:
                return i
        return None

    @property
    def kind(self) -> str:
        """ "heap", "goroutine", "goroutineleak", "cpu", "block/mutex", "threadcreate" or "unknown"."""
        names = [t.type for t in self.sample_types]
        if names in (["goroutine"], ["goroutineleak"], ["threadcreate"]):
            return names[0]
        if "inuse_space" in names or "alloc_space" in names:
            return "heap"
        if names == ["samples", "cpu"]:
            return "cpu"
        if names == ["contentions", "delay"]:
            return "block/mutex"
        return "unknown"

    def describe(self) -> str:
        types = ", ".join(str(t) for t in self.sample_types)
        what = {
            "cpu": "a CPU profile",
            "block/mutex": "a block or mutex profile",
            "unknown": "a profile of an unknown kind",
        }.get(self.kind, f"a {self.kind} profile")
        return f"{what} (sample types {types})"


def decompress(data: bytes, limit: int = MAX_DECOMPRESSED) -> bytearray:
    """The inflated bytes of one or more gzip members, inflated 1 MiB at a time; never more than `limit`."""
    out = bytearray()
    rest = data
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while not d.eof:
            try:
                chunk = d.decompress(pending, min(_STEP, limit - len(out) + 1))
            except zlib.error as e:
                raise ProfileError(f"corrupt gzip data ({e})") from None
            pending = d.unconsumed_tail
            if chunk:
                if len(out) + len(chunk) > limit:
                    raise ProfileError(
                        f"the profile expands to more than {limit >> 20} MiB: refused "
                        "(a zip bomb, or far larger than any heap or goroutine profile)"
                    )
                out += chunk
            elif not pending:
                break
        if not d.eof:
            raise ProfileError("truncated: the gzip stream ends early (was the download cut off?)")
        rest = d.unused_data
        if not rest.strip(b"\0"):
            return out
        if rest[:2] != GZIP_MAGIC:
            raise ProfileError("corrupt: data follows the gzip stream")


def is_binary(data: bytes) -> bool:
    """Whether `data` is gzip (the form Go writes), as opposed to a text profile or dump."""
    return data[:2] == GZIP_MAGIC


def decode(data: bytes, max_compressed: int = MAX_COMPRESSED, max_decompressed: int = MAX_DECOMPRESSED) -> PprofProfile:
    """The profile in `data` (gzipped or plain protocol buffer); ProfileError when it is not one."""
    gzipped = is_binary(data) or data == GZIP_MAGIC[:1]  # a gzip stream cut after one byte is gzip too
    if len(data) > max_compressed:
        raise ProfileError(
            f"larger than {max_compressed >> 20} MiB: refused"
            + ("" if gzipped else " (and not gzip-compressed, as Go writes profiles)")
        )
    raw = decompress(data, max_decompressed) if gzipped else data
    if len(raw) > max_decompressed:
        raise ProfileError(f"larger than {max_decompressed >> 20} MiB: refused")
    pb = ProfileMessage()
    try:
        pb.ParseFromString(bytes(raw))
    except message.DecodeError as e:
        if gzipped:
            raise ProfileError(f"corrupt or truncated profile: its protocol buffer does not decode ({e})") from None
        raise ProfileError(
            "not a pprof profile: neither gzip-compressed nor a protocol buffer (nor a goroutine dump in text form)"
        ) from None
    except RecursionError:
        raise ProfileError("corrupt profile: nested too deeply") from None
    return _view(pb, gzipped)


def _view(pb, gzipped: bool) -> PprofProfile:
    strings = list(pb.string_table)
    if not pb.sample_type or not strings or strings[0] != "":
        if not gzipped:
            raise ProfileError(
                "not a pprof profile: neither gzip-compressed nor a protocol buffer with "
                "sample types (nor a goroutine dump in text form)"
            )
        raise ProfileError("corrupt profile: no sample types or no string table")

    def s(i: int, what: str) -> str:
        if 0 <= i < len(strings):
            return strings[i]
        raise ProfileError(f"corrupt profile: {what} names string {i} of a table of {len(strings)}")

    functions: dict[int, tuple[str, str]] = {}
    for f in pb.function:
        functions[f.id] = (s(f.name, "a function"), s(f.filename, "a function"))
    locations: dict[int, tuple[Frame, ...]] = {}
    interned: dict[tuple[str, str, int], Frame] = {}  # one Frame per place: fewer objects, shared by identity
    for loc in pb.location:
        if loc.id == 0 or loc.id in locations:
            raise ProfileError(f"corrupt profile: location id {loc.id} is zero or defined twice")
        frames = []
        for ln in loc.line:
            fn = functions.get(ln.function_id)
            if fn is None:
                raise ProfileError(
                    f"corrupt profile: location {loc.id} refers to function {ln.function_id}, "
                    "which the profile does not define"
                )
            key = (fn[0], fn[1], ln.line)
            fr = interned.get(key)
            if fr is None:
                fr = interned[key] = Frame(*key)
            frames.append(fr)
        if not frames:  # not symbolized: an address, placed nowhere
            frames.append(Frame(f"0x{loc.address:x}", "", 0))
        locations[loc.id] = tuple(frames)
    types = tuple(ValueType(s(t.type, "a sample type"), s(t.unit, "a sample type")) for t in pb.sample_type)
    labels_seen: dict[tuple, Label] = {}
    stacks: dict[tuple[int, ...], tuple[Frame, ...]] = {}
    samples = []
    for n, smp in enumerate(pb.sample):
        if len(smp.value) != len(types):
            raise ProfileError(f"corrupt profile: sample {n} has {len(smp.value)} values for {len(types)} sample types")
        ids = tuple(smp.location_id)
        stack = stacks.get(ids)
        if stack is None:
            try:
                stack = stacks[ids] = tuple(chain.from_iterable(map(locations.__getitem__, ids)))
            except KeyError as e:
                raise ProfileError(
                    f"corrupt profile: sample {n} refers to location {e.args[0]}, which the profile does not define"
                ) from None
        labels = []
        for lb in smp.label:
            label_key = (lb.key, lb.str, lb.num, lb.num_unit)
            if label_key not in labels_seen:
                labels_seen[label_key] = Label(
                    s(lb.key, "a label"), s(lb.str, "a label"), lb.num, s(lb.num_unit, "a label")
                )
            labels.append(labels_seen[label_key])
        samples.append(Sample(tuple(smp.value), stack, tuple(labels)))
    period_type = None
    if pb.HasField("period_type"):
        period_type = ValueType(s(pb.period_type.type, "the period type"), s(pb.period_type.unit, "the period type"))
    return PprofProfile(
        types,
        tuple(samples),
        period_type,
        pb.period,
        pb.time_nanos,
        pb.duration_nanos,
        s(pb.default_sample_type, "the default sample type"),
        tuple(s(c, "a comment") for c in pb.comment),
    )


def goroutine_profile(pp: PprofProfile) -> Profile:
    """A binary goroutine or goroutineleak profile as the text parser would have read it at debug=1."""
    if pp.kind not in (CLASSIC, LEAK):
        raise ProfileError(f"{pp.describe()}, not a goroutine or goroutineleak profile")
    prof = Profile(sections=1)
    groups: dict[tuple[Frame, ...], Stack] = {}
    for smp in pp.samples:
        count = smp.values[0]
        prof.goroutines += count
        if not smp.frames:
            prof.problems.append(f"{count} goroutine(s) with no stack")
            continue
        st = groups.get(smp.frames)
        if st is None:  # samples differing only in their labels add up
            groups[smp.frames] = Stack(pp.kind == LEAK, None, count, smp.frames, None, None, 0, 1)
        else:
            st.count += count
    prof.stacks = list(groups.values())
    return prof
