# SPDX-License-Identifier: MIT
"""Every World method and module function, and every error it can raise."""
import numpy as np
import pytest

import synk
from conftest import expect


def world(cap=1000, nprops=3, seed=0x5EED):
    return synk.World(cap, nprops, seed)


def test_create_and_config():
    w = synk.World(max_entities=300, num_props=2, seed=2**64 - 1)
    assert w.config() == (300, 2, 2**64 - 1)
    assert (w.max_entities, w.num_props, w.seed) == (300, 2, 2**64 - 1)
    assert w.count() == 0 and w.frame() == 0 and w.hash() == w.rehash()
    assert synk.World(1).config() == (1, 0, 0)


@pytest.mark.parametrize("args", [(0,), (synk.MAX_ENTITIES_LIMIT + 1,), (10, synk.MAX_PROPS + 1)])
def test_create_errors(args):
    with pytest.raises(synk.ArgError) as e:
        synk.World(*args)
    assert e.value.status == 1 and e.value.name == "SYNK_E_ARG"
    assert "synk_world_create" in str(e.value)


def test_events_and_queries():
    w = world()
    w.spawn(7, 2, 100, -50, 0)
    w.move(7, 5, 5, 0)
    w.set_prop(7, 2, -250)
    w.tick()
    e = w.get(7)
    assert e == synk.Entity((7, 2, 105, -45, 0, (0, 0, -250)))
    assert (e.id, e.kind, e.x, e.y, e.z, e.props) == (7, 2, 105, -45, 0, (0, 0, -250))
    assert w.count() == 1 and w.frame() == 1
    assert w.hash() == w.rehash()
    h = w.entity_hash(7)
    chunks = w.chunk_hashes()
    assert chunks.dtype == np.uint64 and len(chunks) == 4  # ceil(1000 / 256)
    assert int(chunks[0]) == h and not chunks[1:].any()
    w.despawn(7)
    assert w.count() == 0


def test_state_wraps_mod_2_32():
    w = world()
    w.spawn(0, 2**32 - 1, 2**31 - 1, -2**31, 0)
    w.move(0, 1, -1, -1)
    assert w.get(0)[1:5] == (2**32 - 1, -2**31, 2**31 - 1, -1)


def test_event_errors_change_nothing():
    w = world()
    w.spawn(1, 0, 0, 0, 0)
    h = w.hash()
    for status, fn, args in [
        (2, w.spawn, (1000, 0, 0, 0, 0)),   # RANGE
        (3, w.spawn, (1, 0, 0, 0, 0)),      # EXISTS
        (4, w.despawn, (2,)),               # DEAD
        (2, w.despawn, (5000,)),
        (4, w.move, (2, 1, 1, 1)),
        (2, w.move, (2**32 - 1, 1, 1, 1)),
        (2, w.set_prop, (1, 3, 9)),         # slot out of range
        (4, w.set_prop, (2, 0, 9)),
        (4, w.get, (2,)),
        (2, w.get, (1000,)),
        (4, w.entity_hash, (2,)),
    ]:
        e = expect(status, fn, *args)
        assert isinstance(e, synk.Error) and type(e) is synk.ERRORS[status]
        assert w.hash() == h and w.count() == 1


def test_error_classes():
    assert [synk.ERRORS[s].name for s in range(1, 10)] == [synk.status_str(s) for s in range(1, 10)]
    for cls in synk.ERRORS.values():
        assert issubclass(cls, synk.Error) and issubclass(cls, Exception)
    assert synk.status_str(0) == "SYNK_OK" and synk.status_str(999) == "SYNK_E_UNKNOWN"
    assert synk.DeadError.status == 4 and synk.SpaceError.name == "SYNK_E_SPACE"


def test_python_level_argument_errors():
    for args in [(2**32,), (10, 2**32), (10, 0, -1), (10, 0, 2**64), (-1,)]:
        with pytest.raises(OverflowError):  # never wrapped into another config
            synk.World(*args)
    with pytest.raises(OverflowError):
        synk.World.from_snapshot(b"", 2**32 + 10)
    with pytest.raises(OverflowError):
        synk.crc32c(b"", 2**32)
    with pytest.raises(OverflowError):
        synk.World(10).stream_apply(b"", 0, -1)
    w = world()
    with pytest.raises(OverflowError):
        w.move(2**32, 0, 0, 0)
    with pytest.raises(OverflowError):
        w.spawn(1, 0, 2**31, 0, 0)
    with pytest.raises(TypeError):
        w.move(1, 2, 3)
    with pytest.raises(TypeError):
        w.move("1", 2, 3, 4)


def test_apply_motions_n_by_4_and_structured():
    a, b, c = world(), world(), world()
    for x in (a, b, c):
        for i in range(10):
            x.spawn(i, i, i, -i, 0)
    m = np.array([[3, 1, 2, 3], [3, -1, 0, 0], [9, 2**31 - 1, 0, 1], [0, 5, 5, 5]], np.int32)
    a.apply_motions(m)
    s = np.zeros(4, synk.MOTION_DTYPE)
    s["id"], s["dx"], s["dy"], s["dz"] = m[:, 0], m[:, 1], m[:, 2], m[:, 3]
    b.apply_motions(s)
    for row in m.tolist():
        c.move(*row)
    assert a.hash() == b.hash() == c.hash() == a.rehash()
    assert a.get(9).x == 9 + 2**31 - 1 - 2**32  # wrapped
    a.apply_motions(np.zeros((0, 4), np.int32))  # n == 0 does nothing
    assert a.hash() == c.hash()


def test_apply_motions_errors_are_atomic_with_index():
    w = world()
    for i in range(5):
        w.spawn(i, 0, 0, 0, 0)
    h = w.hash()
    m = np.array([[0, 1, 1, 1], [1, 1, 1, 1], [7, 1, 1, 1], [5000, 0, 0, 0]], np.int32)
    with pytest.raises(synk.DeadError) as e:
        w.apply_motions(m)
    assert e.value.index == 2 and w.hash() == h and w.get(0).x == 0
    m[2, 0] = 1000
    with pytest.raises(synk.RangeError) as e:
        w.apply_motions(m)
    assert e.value.index == 2 and w.hash() == h


@pytest.mark.parametrize("bad", [
    np.zeros((3, 3), np.int32),              # wrong width
    np.zeros((3, 4), np.int64),              # wrong item type
    np.zeros((3, 4), np.float32),
    np.zeros((4, 4), np.int32)[:, ::2],      # not contiguous (would need a copy)
    np.zeros((4, 4), np.int32).T,
    np.zeros((3, 4), ">i4"),                 # big-endian
    np.zeros(3, [("a", "<u4"), ("b", "<i4"), ("c", "<i4"), ("d", "<i4")]),  # other field names
    b"\0" * 16,
    [[1, 2, 3, 4]],
])
def test_apply_motions_refuses_other_layouts(bad):
    w = world()
    w.spawn(0, 0, 0, 0, 0)
    with pytest.raises(TypeError):
        w.apply_motions(bad)


def test_isa_control():
    names = synk.isa_list()
    assert "scalar" in names and synk.isa() in names
    before = synk.isa()
    try:
        for name in names:
            synk.use_isa(name)
            assert synk.isa() == name
            assert synk.isa_emulated(name) in (0, 1)
        with pytest.raises(synk.IsaError) as e:
            synk.use_isa("nonsense")
        assert e.value.status == 6 and synk.isa() == names[-1]  # unchanged
        synk.use_isa("auto")
        assert synk.isa_emulated("nonsense") == -1
    finally:
        synk.use_isa(before)


def test_module_misc():
    assert synk.version() == synk.__version__ and synk.version().count(".") == 2
    assert synk.crc32c(b"123456789") == 0xE3069283
    assert synk.crc32c(b"56789", synk.crc32c(b"1234")) == 0xE3069283
    assert synk.stream_bound(0) > 0 and synk.stream_bound(10) > synk.stream_bound(1)
    assert isinstance(synk.cpu_features(), list)
    assert (synk.MAX_PROPS, synk.CHUNK_IDS, synk.MAX_ENTITIES_LIMIT) == (16, 256, 1 << 28)


def test_closed_world_refuses_calls():
    w = world()
    w.spawn(1, 0, 0, 0, 0)
    w.close()
    assert w.closed
    w.close()  # twice is fine
    for fn, args in [(w.move, (1, 0, 0, 0)), (w.hash, ()), (w.get, (1,)), (w.snapshot, ()),
                     (w.apply_motions, (np.zeros((1, 4), np.int32),)), (w.ring, (4,))]:
        with pytest.raises(ValueError):
            fn(*args)
    with pytest.raises(ValueError):
        w.x


def test_context_manager():
    with synk.World(10) as w:
        w.spawn(1, 0, 0, 0, 0)
    assert w.closed


def test_docstrings_and_stubs():
    import pathlib
    for obj in (synk, synk.World, synk.World.move, synk.World.apply_motions, synk.World.x, synk.Ring.since,
                synk.StreamWriter.write, synk.stream_decode, synk.use_isa, synk.DeadError):
        assert obj.__doc__ and len(obj.__doc__) > 10, obj
    stub = (pathlib.Path(synk.__file__).parent / "__init__.pyi").read_text()
    public = [n for n in synk.__all__ if not n.startswith("_")]
    missing = [n for n in public if n not in stub]
    assert not missing, f"not in __init__.pyi: {missing}"
    for name in dir(synk.World):
        if not name.startswith("_"):
            assert f" {name}" in stub, f"World.{name} not in __init__.pyi"
