# SPDX-License-Identifier: MIT
"""The golden scenarios through the bindings: every call of the C library's
trace replayed through synk.World, on every backend runnable here, must see
C's statuses, entities and rehashes and end on the golden hash."""
import pytest

import synk
from conftest import golden, replay, trace_path

GOLDEN = golden()


@pytest.fixture(params=synk.isa_list())
def backend(request):
    before = synk.isa()
    synk.use_isa(request.param)
    yield request.param
    synk.use_isa(before)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_scenario_hash_equals_golden(name, backend):
    got, c_final = replay(trace_path(name))
    assert synk.isa() == backend
    assert c_final == GOLDEN[name], "the C trace itself disagrees with golden.h"
    assert got == GOLDEN[name], f"{name} on {backend}: {got:016x} != golden {GOLDEN[name]:016x}"


def test_every_golden_scenario_has_a_trace():
    import os
    names = {f[:-6] for f in os.listdir(os.path.dirname(trace_path("x"))) if f.endswith(".trace")}
    assert names == set(GOLDEN)
