# SPDX-License-Identifier: MIT
"""Streams, snapshots, deltas and rings through the bindings."""
import numpy as np
import pytest

import synk


def events(rows):
    return np.array(rows, np.int32).reshape(-1, 6)


SP, DS, MO, PR, TK = synk.EV_SPAWN, synk.EV_DESPAWN, synk.EV_MOTION, synk.EV_PROP, synk.EV_TICK
TICK1 = [[SP, 1, 3, 10, 20, 30], [SP, 2, 4, -1, -2, -3], [MO, 1, 0, 5, 0, 0], [PR, 2, 1, 77, 0, 0],
         [TK, 0, 1, 0, 0, 0]]
TICK2 = [[MO, 2, 0, 1, 1, 1], [DS, 1, 0, 0, 0, 0], [TK, 0, 2, 0, 0, 0]]


def test_encode_decode_apply_round_trip():
    ev = events(TICK1 + TICK2)
    data = synk.stream_encode(ev)
    assert isinstance(data, bytes) and len(data) <= synk.stream_bound(len(ev))
    dec = synk.stream_decode(data)
    assert dec.dtype == synk.EVENT_DTYPE and len(dec) == len(ev)
    assert dec.view("<i4").reshape(-1, 6).tolist() == ev.tolist()
    a, b, c = (synk.World(100, 2, 9) for _ in range(3))
    info = a.stream_apply(data)
    assert info.pos == len(data) and info.events == len(ev) and info.end is True
    b.events_apply(dec)   # structured events
    c.events_apply(ev)    # (n, 6) int32
    assert a.hash() == b.hash() == c.hash() == a.rehash() and a.frame() == 3
    assert a.get(2) == (2, 4, 0, -1, -2, (0, 77))


def test_writer_pieces_and_per_tick_apply():
    sw = synk.StreamWriter()
    p1 = sw.write(events(TICK1))
    p2 = sw.write(events(TICK2), final=True)
    assert sw.finished and sw.bytes == len(p1) + len(p2)
    assert p1 + p2 == synk.stream_encode(events(TICK1 + TICK2))  # pieces form the one stream
    with pytest.raises(synk.ArgError):
        sw.write(events(TICK1))  # finished
    with pytest.raises(synk.ArgError):
        synk.StreamWriter().write(events(TICK1[:2]))  # a non-final piece must end with a tick
    w, ref = synk.World(100, 2, 9), synk.World(100, 2, 9)
    ref.events_apply(events(TICK1))
    info = w.stream_apply(p1, 0, 2**64 - 1)  # a stream still arriving
    assert info.end is False and info.pos == len(p1) and w.hash() == ref.hash()
    info = w.stream_apply(p1 + p2, info.pos, 2**64 - 1)
    assert info.end is True
    ref.events_apply(events(TICK2))
    assert w.hash() == ref.hash()


def test_stream_errors():
    data = synk.stream_encode(events(TICK1 + TICK2))
    w = synk.World(100, 2, 9)
    with pytest.raises(synk.FormatError) as e:
        w.stream_apply(data[:-1])
    assert e.value.bad_offset >= 0 and w.count() == 0
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0x40
    with pytest.raises(synk.FormatError):
        w.stream_apply(bytes(bad))
    with pytest.raises(synk.FormatError) as e:
        synk.stream_decode(bytes(bad))
    w.spawn(2, 0, 0, 0, 0)
    h = w.hash()
    with pytest.raises(synk.ExistsError) as e:
        w.stream_apply(data)
    assert e.value.bad_event == 1 and w.hash() == h  # atomic
    with pytest.raises(synk.ArgError):
        w.stream_apply(data, pos=-1)
    with pytest.raises(synk.ArgError):
        synk.stream_encode(events([[99, 0, 0, 0, 0, 0]]))  # unknown type
    with pytest.raises(synk.DeadError) as e:
        w.events_apply(events([[MO, 50, 0, 1, 1, 1]]))
    assert e.value.index == 0


def test_events_coalesce_in_place():
    ev = events([[MO, 9, 0, 1, 0, 0], [MO, 3, 0, 1, 1, 1], [MO, 9, 0, 2, 0, 0], [TK, 0, 1, 0, 0, 0]])
    out = synk.events_coalesce(ev)
    assert out.tolist() == [[MO, 3, 0, 1, 1, 1], [MO, 9, 0, 3, 0, 0], [TK, 0, 1, 0, 0, 0]]
    with pytest.raises(TypeError):
        ro = ev.copy()
        ro.setflags(write=False)
        synk.events_coalesce(ro)


def populated(n=600, nprops=2, seed=5):
    w = synk.World(n, nprops, seed)
    for i in range(0, n, 3):
        w.spawn(i, i % 7, i, -i, 2 * i)
        w.set_prop(i, i % nprops, i * 11)
    w.tick()
    return w


def test_snapshots():
    w = populated()
    data = w.snapshot()
    assert len(data) == w.snapshot_size()
    h = synk.snapshot_inspect(data)
    assert (h.max_entities, h.num_props, h.seed, h.frame, h.count, h.hash, h.size) == (
        600, 2, 5, 1, 200, w.hash(), len(data))
    c = synk.World.from_snapshot(data, 600, 2, 5)
    assert isinstance(c, synk.World) and c.hash() == w.hash() and (c.x == w.x).all()
    assert synk.snapshot_load(data, 600, 2, 5).hash() == w.hash()
    with pytest.raises(synk.MismatchError):
        synk.World.from_snapshot(data, 600, 2, 6)  # another seed: refused before allocating
    with pytest.raises(synk.FormatError):
        synk.World.from_snapshot(data[:-4], 600, 2, 5)
    with pytest.raises(synk.FormatError):
        synk.snapshot_inspect(b"nope")


def test_deltas():
    base = populated()
    target = synk.World.from_snapshot(base.snapshot(), 600, 2, 5)
    target.move(3, 1, 2, 3)
    target.despawn(6)
    target.spawn(7, 1, 0, 0, 0)
    target.tick()
    d = base.delta_to(target)
    peer = synk.World.from_snapshot(base.snapshot(), 600, 2, 5)
    peer.delta_apply(d)
    assert peer.hash() == target.hash() and peer.frame() == target.frame()
    with pytest.raises(synk.MismatchError):
        peer.delta_apply(d)  # peer is no longer the base
    with pytest.raises(synk.FormatError):
        base.delta_apply(d[:5])
    with pytest.raises(synk.MismatchError):
        base.delta_to(synk.World(600, 2, 6))
    with pytest.raises(TypeError):
        base.delta_to("not a world")


def test_rings_rollback_and_catch_up():
    w = populated()
    r = w.ring(8)
    r.save()
    f0, h0 = w.frame(), w.hash()
    old = synk.World.from_snapshot(w.snapshot(), 600, 2, 5)
    for _ in range(3):
        w.move(0, 1, 1, 1)
        w.tick()
        r.save()
    assert r.has(f0) and r.has(w.frame()) and not r.has(f0 + 100)
    data, is_snap = r.since(f0)
    assert not is_snap
    old.delta_apply(data)
    assert old.hash() == w.hash()
    data, is_snap = r.since(f0 + 100)  # not in the ring: a snapshot
    assert is_snap and synk.World.from_snapshot(data, 600, 2, 5).hash() == w.hash()
    r.restore(f0)
    assert w.hash() == h0 and w.frame() == f0
    with pytest.raises(synk.RangeError):
        r.restore(f0 + 100)
    with pytest.raises(synk.ArgError):
        w.ring(0)
    r.close()
    w.close()
