# SPDX-License-Identifier: MIT
"""synk: deterministic state synchronization (Python bindings of the C library).

An entity world kept bit-identical on every peer, proved by one 64-bit world
hash kept current in O(1). A thin layer over kernel/include/synk.h: every
method is one C call, arrays cross without copies, errors are exceptions.

    import numpy as np, synk
    w = synk.World(max_entities=1024, num_props=2, seed=0x5EED)
    w.spawn(7, 2, 100, -50, 0)
    w.apply_motions(np.array([[7, 1, 0, 0], [7, 0, 0, -9]], np.int32))
    w.x[7]              # 101: a read-only NumPy view of the world's x column
    w.hash() == w.rehash()

Errors: every failing call raises a subclass of synk.Error named after its
status (synk.DeadError is SYNK_E_DEAD), with .status (the code) and .name.
Batch calls add .index (the first failing motion or event); stream calls
add .bad_event and .bad_offset.
"""
import numpy as _np

from . import _synk
from ._synk import (CHUNK_IDS, MAX_ENTITIES_LIMIT, MAX_PROPS, ArgError, DeadError, Entity, Error,
                    ExistsError, FormatError, IsaError, MismatchError, NoMemError, RangeError, Ring,
                    SnapshotHeader, SpaceError, StreamInfo, StreamWriter, cpu_features, crc32c, isa,
                    isa_emulated, isa_list, snapshot_inspect, status_str, stream_bound, use_isa, version)

__all__ = [
    "World", "Ring", "StreamWriter", "Entity", "StreamInfo", "SnapshotHeader",
    "Error", "ArgError", "RangeError", "ExistsError", "DeadError", "NoMemError", "IsaError",
    "FormatError", "MismatchError", "SpaceError", "ERRORS",
    "MOTION_DTYPE", "EVENT_DTYPE", "EV_SPAWN", "EV_DESPAWN", "EV_MOTION", "EV_PROP", "EV_TICK",
    "stream_encode", "stream_decode", "events_coalesce", "stream_bound", "snapshot_load",
    "snapshot_inspect", "isa", "use_isa", "isa_list", "isa_emulated", "cpu_features", "version",
    "status_str", "crc32c", "MAX_PROPS", "CHUNK_IDS", "MAX_ENTITIES_LIMIT",
]
__version__ = version()
__license__ = "MIT"  # LICENSE at the repository root

#: status code -> exception class
ERRORS = {cls.status: cls for cls in (ArgError, RangeError, ExistsError, DeadError, NoMemError,
                                      IsaError, FormatError, MismatchError, SpaceError)}

#: synk_motion: what World.apply_motions reads (an (n, 4) int32 array works too)
MOTION_DTYPE = _np.dtype([("id", "<u4"), ("dx", "<i4"), ("dy", "<i4"), ("dz", "<i4")])
#: synk_event: what the stream functions read and return (an (n, 6) int32 array works too)
EVENT_DTYPE = _np.dtype([("type", "<u4"), ("id", "<u4"), ("arg", "<u4"),
                         ("a", "<i4"), ("b", "<i4"), ("c", "<i4")])
EV_SPAWN, EV_DESPAWN, EV_MOTION, EV_PROP, EV_TICK = 1, 2, 3, 4, 5


def _column(world, which, dtype):
    return _np.frombuffer(world._column(which), dtype=dtype)


class World(_synk.World):
    """World(max_entities, num_props=0, seed=0): a synk world (synk_world_create).

    Peers that create worlds with the same config and apply the same events
    have equal hashes on every machine. Also a context manager (close() on
    exit). The column properties (x, y, z, kind, props, alive) are read-only
    NumPy views of the world's storage, indexed by id: no copy, always
    current, each keeping the world's memory alive; close() refuses
    (BufferError) while any of them is alive.
    """

    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @classmethod
    def from_snapshot(cls, data, max_entities, num_props=0, seed=0):
        """A new world from snapshot bytes of a world of exactly this config
        (synk_snapshot_load): MismatchError for any other config or a hash
        that does not verify, FormatError for malformed bytes."""
        return _synk._snapshot_load(cls, data, max_entities, num_props, seed)

    @property
    def max_entities(self):
        """Ids 0..max_entities-1 (the length of every column view)."""
        return self.config()[0]

    @property
    def num_props(self):
        """Property slots per entity."""
        return self.config()[1]

    @property
    def seed(self):
        """The hash key the world was created with."""
        return self.config()[2]

    @property
    def x(self):
        """x of every id, a read-only int32 view (0 for dead ids)."""
        return _column(self, 0, _np.int32)

    @property
    def y(self):
        """y of every id, a read-only int32 view."""
        return _column(self, 1, _np.int32)

    @property
    def z(self):
        """z of every id, a read-only int32 view."""
        return _column(self, 2, _np.int32)

    @property
    def kind(self):
        """kind of every id, a read-only uint32 view."""
        return _column(self, 3, _np.uint32)

    @property
    def alive(self):
        """The alive bitmap, a read-only uint64 view: bit id % 64 of word id // 64."""
        return _column(self, 4, _np.uint64)

    @property
    def props(self):
        """A tuple of num_props read-only int32 views, one per property slot."""
        return tuple(_column(self, 5 + s, _np.int32) for s in range(self.num_props))

    def alive_mask(self):
        """A boolean array, True for live ids (computed from the bitmap: a copy)."""
        bits = _np.unpackbits(self.alive.view(_np.uint8), bitorder="little")
        return bits[: self.max_entities].astype(bool)

    def apply_motions(self, motions):
        """Apply motions atomically, as synk_move on each in order
        (synk_apply_motions): an (n, 4) int32 array or an array of
        MOTION_DTYPE, C-contiguous, read in place; releases the GIL. On
        RangeError/DeadError nothing is applied and .index is the first bad
        motion."""
        self._apply_motions(motions)

    def events_apply(self, events):
        """Apply decoded events atomically (synk_events_apply): an array of
        EVENT_DTYPE or (n, 6) int32; .index names the first failing event."""
        self._events_apply(events)

    def chunk_hashes(self):
        """Per-chunk sums of entity hashes (chunk c covers ids
        [c*CHUNK_IDS, (c+1)*CHUNK_IDS)), a uint64 array: compare two peers'
        to find where they differ."""
        return _np.frombuffer(self._chunk_hashes(), dtype=_np.uint64)


def snapshot_load(data, max_entities, num_props=0, seed=0):
    """World.from_snapshot(data, max_entities, num_props, seed)."""
    return World.from_snapshot(data, max_entities, num_props, seed)


def stream_encode(events):
    """Encode events (EVENT_DTYPE array or (n, 6) int32) as one stream (bytes)."""
    return _synk._stream_encode(events)


def stream_decode(data):
    """Decode a whole stream into an EVENT_DTYPE array (every check verified;
    FormatError with .bad_offset otherwise)."""
    return _np.frombuffer(_synk._stream_decode(data), dtype=EVENT_DTYPE)


def events_coalesce(events):
    """Sort and coalesce, in place, every run of consecutive motions
    (synk_events_coalesce); returns the leading slice that holds the result.
    events must be a writable EVENT_DTYPE or (n, 6) int32 array."""
    return events[: _synk._events_coalesce(events)]
