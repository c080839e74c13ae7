# SPDX-License-Identifier: MIT
# Two peers, the same events, the same hash; views, errors, a snapshot and a delta.
import numpy as np

import synk

a = synk.World(max_entities=1024, num_props=2, seed=0x5EED)  # peer A
b = synk.World(max_entities=1024, num_props=2, seed=0x5EED)  # peer B: same config
for w in (a, b):
    w.spawn(7, 2, 100, -50, 0)
    w.apply_motions(np.array([[7, 1, 0, 0], [7, 0, 0, -9]], np.int32))  # in place, GIL released
    w.set_prop(7, 0, 250)
    w.tick()
assert a.hash() == b.hash() == a.rehash()

x = a.x                          # read-only NumPy view of the x column: no copy
a.move(7, 5, 0, 0)
assert x[7] == 106               # the view follows the world
try:
    a.move(8, 1, 1, 1)           # id 8 is not alive
except synk.DeadError as e:
    print(e.name, e.status)      # SYNK_E_DEAD 4

late = synk.World.from_snapshot(a.snapshot(), 1024, 2, 0x5EED)  # a late joiner
b.delta_apply(b.delta_to(a))     # B catches up with one delta
assert late.hash() == b.hash() == a.hash()
print(f"{a.hash():016x}")
