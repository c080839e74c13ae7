# SPDX-License-Identifier: MIT
"""Batch calls release the GIL: two threads, each in a batch call on its own
world, are inside their C calls at the same time. Proven without timers: the
extension's test rendezvous (synk._synk._test_rendezvous) makes each
GIL-released section wait until the other has arrived, which can only happen
if neither holds the GIL. A world in a GIL-released call refuses other calls."""
import threading

import numpy as np
import pytest

import synk
from synk import _synk


def batch_world(n=2000):
    w = synk.World(n, 1, 3)
    for i in range(n):
        w.spawn(i, 0, i, 0, 0)
    m = np.zeros((n, 4), np.int32)
    m[:, 0] = np.arange(n)[::-1]
    m[:, 1] = 1
    return w, m


CALLS = {
    "apply_motions": lambda w, m: w.apply_motions(m),
    "rehash": lambda w, m: w.rehash(),
    "snapshot": lambda w, m: w.snapshot(),
    "stream_apply": lambda w, m: w.stream_apply(synk.stream_encode(np.array([[5, 0, 1, 0, 0, 0]], np.int32))),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_two_threads_are_inside_c_at_once(call):
    worlds = [batch_world() for _ in range(2)]
    errors = []

    def run(i):
        try:
            CALLS[call](*worlds[i])
        except Exception as e:  # reported below
            errors.append(e)

    _synk._test_rendezvous(2)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    met = _synk._test_rendezvous(0)
    assert not errors
    assert met, f"{call}: the two threads were never inside the C call together (GIL held)"
    if call == "apply_motions":
        assert worlds[0][0].hash() == worlds[1][0].hash() and worlds[0][0].x[7] == 8


def test_a_world_busy_in_another_thread_refuses_calls():
    w, m = batch_world()
    other, _ = batch_world()
    seen = []
    inside = threading.Event()
    done = threading.Event()

    def hold():
        # the rendezvous of 2 holds this thread inside w's GIL-released call
        # until the main thread's call on `other` arrives
        w.apply_motions(m)
        done.set()

    _synk._test_rendezvous(2)
    t = threading.Thread(target=hold)
    t.start()
    while not inside.is_set():
        try:
            w.hash()
        except RuntimeError as e:  # w is busy: the call is running without the GIL
            seen.append(str(e))
            inside.set()
    other.rehash()  # the second arrival releases both
    t.join()
    assert done.is_set() and _synk._test_rendezvous(0)
    assert "in use by another thread" in seen[0]
    assert w.x[0] == 1  # the batch was applied
