"""The binary profile decoder: the schema against Go's own writer, the view, and every bad input."""

from __future__ import annotations

import dataclasses
import gzip
import os
import random
import re
import subprocess
import sys
import time
import zlib

import pytest
from analysistest import go_binary, go_env
from heapleakutil import BODY

from plumber.runtime import ProfileError, parse, pprof
from plumber.runtime.parse import Frame

F = pprof.descriptor_pb2.FieldDescriptorProto
GO_TYPES = {"int64": F.TYPE_INT64, "uint64": F.TYPE_UINT64, "bool": F.TYPE_BOOL, "string": F.TYPE_STRING}


def real(h, name="file-after.pb.gz") -> bytes:
    with open(h.path(name), "rb") as f:
        return f.read()


def test_schema_agrees_with_the_tags_go_writes(tmp_path):
    """Every field Go 1.27's runtime/pprof encoder writes has our number and type (proto.go's tag table)."""
    goroot = subprocess.run(
        [go_binary(), "env", "GOROOT"], env=go_env(str(tmp_path)), capture_output=True, text=True, check=True
    ).stdout.strip()
    with open(os.path.join(goroot, "src", "runtime", "pprof", "proto.go")) as f:
        tags = re.findall(r"^\s*tag(\w+)_(\w+)\s*=\s*(\d+)\s*//\s*(repeated )?(\w+)", f.read(), re.M)
    assert len(tags) >= 40
    messages = {m.name: {f.number: f for f in m.field} for m in pprof._schema().message_type}
    for message, name, number, repeated, kind in tags:
        field = messages[message][int(number)]
        label = F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL
        assert field.label == label, (message, name)
        if kind in GO_TYPES:
            assert field.type == GO_TYPES[kind], (message, name)
        else:  # a message: ValueType, Sample, ...
            assert field.type == F.TYPE_MESSAGE and field.type_name.endswith("." + kind), (message, name)
    ours = {(m, n) for m, fields in messages.items() for n in fields}
    written = {(m, int(n)) for m, _, n, _, _ in tags}
    # what the published schema has beyond what Go writes
    assert ours - written == {("Profile", 15), ("Label", 4), ("Location", 5), ("Line", 3)}


def test_a_real_heap_profile_as_a_view(heapleak):
    p = pprof.decode(real(heapleak))
    assert p.kind == "heap"
    assert [str(t) for t in p.sample_types] == [
        "alloc_objects/count",
        "alloc_space/bytes",
        "inuse_objects/count",
        "inuse_space/bytes",
    ]
    assert str(p.period_type) == "space/bytes" and p.period == 1  # runtime.MemProfileRate = 1
    assert abs(p.time_nanos / 1e9 - time.time()) < 3600
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.samples[0].values = ()  # type: ignore[misc]
    assert isinstance(p.samples, tuple) and isinstance(p.samples[0].frames, tuple)
    # innermost first, inlined calls expanded: handleRequest (inlined into grow) then grow
    cached = [s for s in p.samples if any(f.func == "main.handleRequest" for f in s.frames) and s.values[3] > 0]
    assert cached
    for s in cached:
        funcs = [f.func for f in s.frames]
        i = funcs.index("main.handleRequest")
        assert funcs[i + 1 : i + 4] == ["main.grow", "main.serve", "main.main"]
        assert all(f.file.endswith("/main.go") for f in s.frames[i : i + 4])
    big = [
        s
        for s in p.samples
        if s.values[3] >= BODY and s.frames[0] == Frame("main.header", s.frames[0].file, heapleak.grow["substring"])
    ]
    # the allocation's size as a numeric label
    assert big and all([(lb.key, lb.num) for lb in s.labels] == [("bytes", BODY)] for s in big)


def test_goroutine_and_cpu_kinds(heapleak):
    cpu = pprof.decode(real(heapleak, "cpu.pb.gz"))
    assert cpu.kind == "cpu" and cpu.describe() == "a CPU profile (sample types samples/count, cpu/nanoseconds)"
    with pytest.raises(ProfileError, match=r"a CPU profile .*, not a goroutine or goroutineleak profile"):
        parse(real(heapleak, "cpu.pb.gz"))
    with pytest.raises(ProfileError, match=r"a heap profile .*, not a goroutine or goroutineleak profile"):
        parse(real(heapleak))


def test_truncated_everywhere(heapleak):
    data = real(heapleak)
    for cut in sorted({1, 2, 5, 10, 11, 100, len(data) // 3, len(data) // 2, len(data) - 9, len(data) - 1}):
        with pytest.raises(ProfileError, match=r"truncated|corrupt"):
            pprof.decode(data[:cut])


def test_corrupt_gzip_and_trailing_data(heapleak):
    data = bytearray(real(heapleak))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(ProfileError, match=r"corrupt gzip data"):
        pprof.decode(bytes(data))
    data = bytearray(real(heapleak))
    data[-6] ^= 0x01  # the CRC-32 of the member
    with pytest.raises(ProfileError, match=r"corrupt gzip data"):
        pprof.decode(bytes(data))
    with pytest.raises(ProfileError, match=r"data follows the gzip stream"):
        pprof.decode(real(heapleak) + b"garbage")
    # two members (as `cat a.gz b.gz` makes) are one stream, and zero padding is ignored
    assert pprof.decode(gzip.compress(b"") + real(heapleak) + bytes(512)).kind == "heap"


def test_not_a_profile():
    for junk in (b"", b"hello, world\n", bytes(100), os.urandom(4096)):
        with pytest.raises(ProfileError, match=r"not a pprof profile"):
            pprof.decode(junk)
    for inner in (b"", b"\xff" * 40, os.urandom(1000)):
        with pytest.raises(ProfileError, match=r"corrupt"):
            pprof.decode(gzip.compress(inner))


def _valid() -> pprof.ProfileMessage:
    m = pprof.ProfileMessage()
    m.string_table.extend(["", "inuse_space", "bytes", "main.f", "/src/main.go"])
    m.sample_type.add(type=1, unit=2)
    m.function.add(id=1, name=3, filename=4)
    m.location.add(id=1).line.add(function_id=1, line=7)
    m.sample.add(location_id=[1], value=[4096])
    return m


def test_broken_references_in_a_well_formed_protocol_buffer():
    ok = pprof.decode(gzip.compress(_valid().SerializeToString()))
    assert ok.samples[0].frames == (Frame("main.f", "/src/main.go", 7),) and ok.samples[0].values == (4096,)
    breaks = {
        "sample 0 refers to location 5": lambda m: m.sample[0].location_id.__setitem__(0, 5),
        "names string 99": lambda m: setattr(m.function[0], "name", 99),
        "has 2 values for 1 sample types": lambda m: m.sample[0].value.append(1),
        "refers to function 3": lambda m: setattr(m.location[0].line[0], "function_id", 3),
        "location id 1 is zero or defined twice": lambda m: m.location.add(id=1),
        "no sample types or no string table": lambda m: m.ClearField("sample_type"),
    }
    for message, breaking in breaks.items():
        m = _valid()
        breaking(m)
        with pytest.raises(ProfileError, match=re.escape(message)):
            pprof.decode(gzip.compress(m.SerializeToString()))
    # an uncompressed protocol buffer, as pprof accepts too
    assert pprof.decode(_valid().SerializeToString()).samples == ok.samples


def test_mutations_raise_profile_error_or_decode(heapleak):
    """Random byte changes to a real profile, compressed and not: ProfileError or a profile, nothing else.

    Most random changes break the gzip stream or the protocol buffer's framing (a few in a hundred
    decode, how many depends on the run's profile), so the decoder is shown to accept what stays well
    formed by a change it must keep: letters changed inside a string of the table."""
    rnd = random.Random(18)
    plain = zlib.decompress(real(heapleak), 31)
    at = plain.index(b"main.handleRequest")
    renamed = plain[:at] + b"main.handleReQuest" + plain[at + len(b"main.handleRequest") :]
    funcs = {f.func for s in pprof.decode(renamed).samples for f in s.frames}
    assert "main.handleReQuest" in funcs and "main.handleRequest" not in funcs
    decoded = 0
    t0 = time.monotonic()
    for _ in range(300):
        data = bytearray(plain if rnd.random() < 0.5 else real(heapleak))
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            del data[rnd.randrange(len(data)) :]
        try:
            pprof.decode(bytes(data))
            decoded += 1
        except ProfileError:
            pass
    assert time.monotonic() - t0 < 30
    assert decoded < 300


def test_zip_bomb_stops_at_the_cap_in_bounded_memory_and_time(tmp_path):
    bomb = tmp_path / "bomb.pb.gz"
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    with open(bomb, "wb") as f:
        for _ in range(320):  # 320 MiB of zeros in about 1.5 MB: past the 256 MiB cap
            f.write(c.compress(zeros))
        f.write(c.flush())
    assert bomb.stat().st_size < 2 << 20
    script = (
        "import resource, sys\nfrom plumber.runtime import pprof, ProfileError\n"
        "try:\n    pprof.decode(open(sys.argv[1], 'rb').read())\n"
        "except ProfileError as e:\n    print(e)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - t0
    message, peak_mib = p.stdout.splitlines()
    print(f"\nzip bomb: {bomb.stat().st_size} bytes, refused in {seconds:.2f} s, peak RSS {peak_mib} MiB")
    assert message.startswith("the profile expands to more than 256 MiB: refused")
    assert int(peak_mib) < 256 + 150  # the cap plus the interpreter, not the 320 MiB the bomb holds
    assert seconds < 20


def test_huge_input_is_refused_by_size(heapleak, tmp_path):
    """100 MB files, gzip or not: refused by the size cap, without reading them whole."""
    from plumber.runtime import load

    huge = tmp_path / "huge.pb.gz"
    with open(huge, "wb") as f:
        f.write(real(heapleak))
        for _ in range(100):
            f.write(os.urandom(1 << 20))
    t0 = time.monotonic()
    with pytest.raises(ProfileError, match=r"huge.pb.gz: larger than 64 MiB: refused"):
        load(str(huge))
    with pytest.raises(ProfileError, match=r"larger than 64 MiB: refused"):
        pprof.decode(huge.read_bytes())
    binary = tmp_path / "huge.bin"
    with open(binary, "wb") as f:
        for _ in range(100):
            f.write(os.urandom(1 << 20))
    with pytest.raises(ProfileError, match=r"larger than 64 MiB: refused \(and not gzip-compressed"):
        pprof.decode(binary.read_bytes())
    seconds = time.monotonic() - t0
    print(f"\nthree 100 MB inputs refused in {seconds:.2f} s")
    assert seconds < 20
