# SPDX-License-Identifier: MIT
"""Zero-copy NumPy views: they alias the world's storage, are read-only, and
can never dangle: a view keeps the world's memory alive, and close() is
refused while one exists."""
import gc
import weakref

import numpy as np
import pytest

import synk


def test_views_alias_the_world():
    w = synk.World(1000, 2, 1)
    x, y, z, kind, alive, props = w.x, w.y, w.z, w.kind, w.alive, w.props
    assert (x.dtype, kind.dtype, alive.dtype) == (np.int32, np.uint32, np.uint64)
    assert len(x) == len(kind) == 1000 and len(alive) == 16 and len(props) == 2
    w.spawn(700, 9, 1, 2, 3)
    w.set_prop(700, 1, -5)
    # the views taken before the events see them: same memory, no copy
    assert (x[700], y[700], z[700], kind[700], props[1][700]) == (1, 2, 3, 9, -5)
    assert alive[700 // 64] == 1 << (700 % 64)
    w.move(700, 10, 0, 0)
    assert x[700] == 11
    w.apply_motions(np.array([[700, 0, 5, 0]], np.int32))
    assert y[700] == 7
    w.despawn(700)
    assert x[700] == 0 and alive[700 // 64] == 0
    # two views of one column share memory; the views are the world's columns
    assert np.shares_memory(w.x, x)
    assert w.x.__array_interface__["data"][0] == x.__array_interface__["data"][0]
    assert not np.shares_memory(w.x, w.y)


def test_alive_mask():
    w = synk.World(130)
    for i in (0, 64, 129):
        w.spawn(i, 0, 0, 0, 0)
    mask = w.alive_mask()
    assert mask.shape == (130,) and list(np.flatnonzero(mask)) == [0, 64, 129]


def test_views_are_read_only():
    w = synk.World(10, 1)
    w.spawn(1, 0, 0, 0, 0)
    for v in (w.x, w.kind, w.alive, w.props[0]):
        assert not v.flags.writeable
        with pytest.raises(ValueError):
            v[1] = 5
        with pytest.raises(ValueError):
            v.setflags(write=True)
    with pytest.raises((BufferError, TypeError)):
        memoryview(w._column(0)).cast("B")[0:1] = b"\1"
    assert w.get(1).x == 0


def test_no_prop_views_without_props():
    w = synk.World(10, 0)
    assert w.props == ()
    with pytest.raises(IndexError):
        w._column(5)


def test_close_is_refused_while_a_view_lives():
    w = synk.World(100)
    w.spawn(5, 0, 42, 0, 0)
    v = w.x
    with pytest.raises(BufferError):
        w.close()
    assert v[5] == 42 and not w.closed  # nothing was freed
    sl = v[3:8]  # a slice holds the view's base too
    del v
    with pytest.raises(BufferError):
        w.close()
    assert sl[2] == 42
    del sl
    gc.collect()
    w.close()
    assert w.closed
    with pytest.raises(ValueError):
        w.x  # a closed world exports nothing


def test_view_outliving_the_world_object_keeps_its_memory():
    w = synk.World(100)
    w.spawn(5, 0, 42, 0, 0)
    ref = weakref.ref(w)
    v = w.x
    del w
    gc.collect()
    assert ref() is not None  # the view keeps the world alive: never dangling
    assert v[5] == 42
    del v
    gc.collect()
    assert ref() is None  # and the last view frees it


def test_rings_keep_the_world_and_block_close():
    w = synk.World(100)
    r = w.ring(4)
    with pytest.raises(RuntimeError):
        w.close()
    r.close()
    with pytest.raises(ValueError):
        r.save()
    w.close()


def test_reference_counts_return_to_baseline():
    import sys
    w = synk.World(100, 1)
    w.spawn(1, 0, 0, 0, 0)
    base = sys.getrefcount(w)
    col = w._column(0)
    assert sys.getrefcount(w) == base + 1  # the column object holds the world
    v = np.frombuffer(col, np.int32)
    del col
    assert sys.getrefcount(w) == base + 1  # now through the array's base
    del v
    assert sys.getrefcount(w) == base
    for _ in range(1000):  # views, rings, errors and batches leave nothing behind
        w.x[1], w.props[0][1], w.alive[0]
        w.ring(2).close()
        try:
            w.move(2, 0, 0, 0)
        except synk.DeadError:
            pass
        w.apply_motions(np.array([[1, 1, 1, 1]], np.int32))
    assert sys.getrefcount(w) == base
    w.close()
