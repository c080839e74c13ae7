# SPDX-License-Identifier: MIT
"""The Python bindings' call overhead against the C library, same inputs.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py [--quick]

Per backend (avx2 and scalar when runnable): World.move on a 10k world
(random live ids, 256 calls per pass), World.apply_motions of one motion
(the fixed cost of the call), and of 1e4 distinct motions in random order (a permutation, deltas in [-1000, 1000])
from an (n, 4) int32 array and from a MOTION_DTYPE array. The same calls
are timed in C by the _synk_bench helper (bench/python_bench_ext.c) on the
same inputs in the same process, epoch by epoch interleaved with the Python
epochs; the fastest epochs are compared. Prints a markdown table.
"""
import sys
import time

import numpy as np

import _synk_bench
import synk

CAP = 10000


def world():
    w = synk.World(CAP, 0, 2000 + CAP)
    for i in range(CAP):
        w.spawn(i, 0, i, -i, 0)
    return w


def interleaved(py, c, epochs):
    """Fastest epoch's ns per call of py() and of c() (each returns ns per call),
    epochs alternated. The minimum is the run least disturbed by the rest of
    the machine, for both sides alike."""
    py(), c()  # warm-up
    ps, cs = [], []
    for _ in range(epochs):
        ps.append(py())
        cs.append(c())
    return min(ps), min(cs)


def timed(fn, calls):
    t = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - t) / calls


def main(argv):
    epochs = 5 if "--quick" in argv else 21
    rows = []
    rng = np.random.default_rng(2)
    for isa in ("avx2", "scalar"):
        if isa not in synk.isa_list():
            continue
        synk.use_isa(isa)
        w = world()
        moves = np.column_stack([rng.integers(0, CAP, 256), rng.integers(-1000, 1001, (256, 3))]).astype(np.int32)
        args = [tuple(a) for a in moves.tolist()]
        mv, reps = w.move, 40

        def py_moves():
            def run():
                for _ in range(reps):
                    for a in args:
                        mv(*a)
            return timed(run, reps * len(args))

        def loop_only():
            def run():
                for _ in range(reps):
                    for a in args:
                        pass
            return timed(run, reps * len(args))
        py, c = interleaved(py_moves, lambda: _synk_bench.c_moves(moves, CAP, reps, isa), epochs)
        loop = min(loop_only() for _ in range(epochs))
        rows.append((isa, "`World.move(id, dx, dy, dz)`", py, c,
                     f"{py - c:+.0f} ns per call (of which the Python for-loop: {loop:.0f} ns)"))

        m = np.empty((CAP, 4), np.int32)
        m[:, 0] = rng.permutation(CAP)
        m[:, 1:] = rng.integers(-1000, 1001, (CAP, 3))
        s = np.zeros(CAP, synk.MOTION_DTYPE)
        s["id"], s["dx"], s["dy"], s["dz"] = m[:, 0], m[:, 1], m[:, 2], m[:, 3]
        one = m[:1].copy()
        for label, arr, calls in (("1 motion, NumPy (1, 4) int32", one, 2000), ("1e4 motions, NumPy (n, 4) int32", m, 10),
                                  ("1e4 motions, NumPy MOTION_DTYPE", s, 10)):
            am = w.apply_motions

            def py_batch():
                def run():
                    for _ in range(calls):
                        am(arr)
                return timed(run, calls)
            flat = one if arr is one else m
            py, c = interleaved(py_batch, lambda: _synk_bench.c_batch(flat, CAP, calls, isa), epochs)
            rows.append((isa, f"`apply_motions`, {label}", py, c,
                         f"{py / c:.3f}x the C call ({py - c:+.0f} ns per call)"))
        w.close()
    synk.use_isa("auto")
    print("| backend | call | Python ns per call | C ns per call | binding overhead |")
    print("|:--|:--|--:|--:|:--|")
    for isa, what, py, c, note in rows:
        print(f"| {isa} | {what} | {py:.1f} | {c:.1f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
