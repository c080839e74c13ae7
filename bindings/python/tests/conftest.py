# SPDX-License-Identifier: MIT
"""Shared helpers of the synk Python tests: the golden hashes of
support/golden.h and the replay of the C library's call traces
(tests/bindings/scenario_trace.c describes the format)."""
import os
import re

import numpy as np
import pytest

import synk

CREATE, DESTROY, SPAWN, DESPAWN, MOVE, PROP, TICK, MOTIONS, REHASH, GET, END = range(1, 12)


def golden():
    """{scenario: hash} from support/golden.h."""
    text = open(os.environ["SYNK_GOLDEN_H"]).read()
    found = dict((n, int(h, 16)) for n, h in re.findall(r'\{"(\w+)", UINT64_C\(0x([0-9a-f]+)\)\}', text))
    assert len(found) >= 15, "golden.h: too few vectors parsed"
    return found


def trace_path(name):
    return os.path.join(os.environ["SYNK_TRACE_DIR"], name + ".trace")


def expect(status, fn, *args):
    """Call fn(*args); it must succeed when status is 0, else raise the
    exception class of that status. Returns the exception (or None)."""
    if status == 0:
        fn(*args)
        return None
    with pytest.raises(synk.ERRORS[status]) as info:
        fn(*args)
    assert info.value.status == status and info.value.name == synk.status_str(status)
    return info.value


def replay(path):
    """Replay a trace through the bindings, checking every status, entity and
    rehash C recorded. Returns (final hash seen by the bindings, C's final hash)."""
    words = np.fromfile(path, dtype="<u4")
    w = words.tolist()
    signed = words.view("<i4")
    worlds = [None] * 4
    last = None
    i = 0
    while True:
        op = w[i]
        if op == CREATE:
            s, cap, nprops, lo, hi = w[i + 1:i + 6]
            worlds[s] = synk.World(cap, nprops, lo | hi << 32)
            i += 7
        elif op == DESTROY:
            last = worlds[w[i + 1]].hash()
            worlds[w[i + 1]].close()
            worlds[w[i + 1]] = None
            i += 2
        elif op == SPAWN:
            s, ident, kind = w[i + 1:i + 4]
            x, y, z = signed[i + 4:i + 7].tolist()
            expect(w[i + 7], worlds[s].spawn, ident, kind, x, y, z)
            i += 8
        elif op == DESPAWN:
            expect(w[i + 3], worlds[w[i + 1]].despawn, w[i + 2])
            i += 4
        elif op == MOVE:
            dx, dy, dz = signed[i + 3:i + 6].tolist()
            expect(w[i + 6], worlds[w[i + 1]].move, w[i + 2], dx, dy, dz)
            i += 7
        elif op == PROP:
            expect(w[i + 5], worlds[w[i + 1]].set_prop, w[i + 2], w[i + 3], int(signed[i + 4]))
            i += 6
        elif op == TICK:
            worlds[w[i + 1]].tick()
            i += 2
        elif op == MOTIONS:
            s, n, status, bad = w[i + 1:i + 5]
            motions = signed[i + 5:i + 5 + 4 * n].reshape(n, 4)  # a view into the trace: no copy
            e = expect(status, worlds[s].apply_motions, motions)
            if e is not None:
                assert e.index == bad
            i += 5 + 4 * n
        elif op == REHASH:
            s, lo, hi = w[i + 1:i + 4]
            assert worlds[s].rehash() == lo | hi << 32 == worlds[s].hash()
            i += 4
        elif op == GET:
            s, ident, status = w[i + 1:i + 4]
            if status == 0:
                e = worlds[s].get(ident)
                rec = signed[i + 4:i + 25].tolist()
                want = (rec[0], rec[1], *rec[2:5], tuple(rec[5:5 + worlds[s].num_props]))
                assert (e.id, e.kind & 0xFFFFFFFF, e.x, e.y, e.z, e.props) == (
                    want[0] & 0xFFFFFFFF, want[1] & 0xFFFFFFFF, *want[2:])
            else:
                expect(status, worlds[s].get, ident)
            i += 25
        elif op == END:
            return last, w[i + 1] | w[i + 2] << 32
        else:
            raise AssertionError(f"{path}: bad opcode {op} at word {i}")
