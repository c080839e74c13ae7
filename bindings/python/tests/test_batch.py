# SPDX-License-Identifier: MIT
"""A batch of motions from NumPy equals the same batch through C's other
paths: the C library's own batch (its stream decoder applies a motion run
through the batch kernel), one synk_move per motion, and the C trace's
recorded hashes (test_golden). Also on every backend."""
import numpy as np
import pytest

import synk


def worlds(k, n=5000, seed=77):
    rng = np.random.default_rng(seed)
    pos = rng.integers(-2**31, 2**31, size=(n, 3), dtype=np.int64).astype(np.int32)
    out = []
    for _ in range(k):
        w = synk.World(n, 2, seed)
        for i in range(0, n, 2):
            w.spawn(i, i % 5, *pos[i].tolist())
        out.append(w)
    return out


def motions(n=5000, count=20000, seed=78):
    rng = np.random.default_rng(seed)
    m = np.empty((count, 4), np.int32)
    m[:, 0] = rng.integers(0, n // 2, count) * 2  # live ids, repeats, any order
    m[:, 1:] = rng.integers(-2**31, 2**31, size=(count, 3), dtype=np.int64).astype(np.int32)
    return m


@pytest.mark.parametrize("backend", synk.isa_list())
def test_numpy_batch_equals_c_batch_and_moves(backend):
    before = synk.isa()
    synk.use_isa(backend)
    try:
        a, b, c = worlds(3)
        m = motions()
        a.apply_motions(m)  # from NumPy, in place
        ev = np.zeros((len(m), 6), np.int32)
        ev[:, 0], ev[:, 1], ev[:, 3:] = synk.EV_MOTION, m[:, 0], m[:, 1:]
        ev = synk.events_coalesce(ev)  # sorted runs: the encoder's column motion runs
        b.stream_apply(synk.stream_encode(ev))  # C decodes and batch-applies
        for row in m.tolist():
            c.move(*row)
        assert a.hash() == b.hash() == c.hash() == a.rehash()
        for col in ("x", "y", "z"):
            assert (getattr(a, col) == getattr(c, col)).all()
    finally:
        synk.use_isa(before)
