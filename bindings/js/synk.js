// SPDX-License-Identifier: MIT
// synk for JavaScript: the C library compiled to WebAssembly (wasm32-wasi,
// no emscripten), with a thin API over its exports. Works in Node.js (>= 18)
// and in browsers, as an ES module.
//
//   import { loadSynk } from 'synk';
//   const synk = await loadSynk();          // SIMD128 build if the engine has it
//   const w = new synk.World(1024, 2, 0x5EEDn);
//   w.spawn(7, 2, 100, -50, 0);
//   w.move(7, 5, 5, 0);
//   w.x[7];                                 // 105: an Int32Array over wasm memory
//   w.hash() === w.rehash();                // BigInt
//
// Every method is one synk.h call (kernel/include/synk.h documents them).
// Errors are SynkError with .status ('SYNK_E_DEAD') and .code (4).
// 64-bit values (seed, hash, frame) are BigInt; ids and coordinates Numbers.

const SIMD_PROBE = new Uint8Array([ // (module (func (result v128) v128.const 0))
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);

/** True if this engine implements WebAssembly SIMD128. */
export function hasSimd128() {
  return WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

async function moduleBytes(url) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`synk: fetching ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Status codes, as synk.h numbers them. */
export const Status = Object.freeze({
  OK: 0, E_ARG: 1, E_RANGE: 2, E_EXISTS: 3, E_DEAD: 4, E_NOMEM: 5, E_ISA: 6, E_FORMAT: 7,
  E_MISMATCH: 8, E_SPACE: 9,
});
/** Event types (synk_event_type) of the 6-word events the stream calls use. */
export const Event = Object.freeze({ SPAWN: 1, DESPAWN: 2, MOTION: 3, PROP: 4, TICK: 5 });

/** A failed synk call: .status is the status name ('SYNK_E_DEAD'), .code its
 * number; batch calls add .index, stream calls .badEvent and .badOffset. */
export class SynkError extends Error {
  constructor(status, code, what, extra) {
    super(`${status}: ${what}`);
    this.name = 'SynkError';
    this.status = status;
    this.code = code;
    Object.assign(this, extra);
  }
}

/**
 * Load the WebAssembly module and return the API bound to it.
 * options.variant: 'auto' (default: 'simd' when hasSimd128(), else 'scalar'),
 * 'simd' or 'scalar'. options.url: where the .wasm file is (default: next to
 * this file). Each call instantiates its own module (its own memory).
 */
export async function loadSynk(options = {}) {
  const variant = !options.variant || options.variant === 'auto'
    ? (hasSimd128() ? 'simd' : 'scalar') : options.variant;
  if (variant !== 'simd' && variant !== 'scalar') throw new Error(`synk: unknown variant '${variant}'`);
  const url = options.url ? new URL(options.url, import.meta.url)
    : new URL(`./synk-${variant}.wasm`, import.meta.url);
  const mod = await WebAssembly.compile(await moduleBytes(url));
  let memory = null;
  const wasi = { // the three WASI calls the C runtime makes: an empty environment, exit
    environ_sizes_get(pCount, pSize) {
      const v = new DataView(memory.buffer);
      v.setUint32(pCount, 0, true);
      v.setUint32(pSize, 0, true);
      return 0;
    },
    environ_get() { return 0; },
    proc_exit(code) { throw new Error(`synk: the wasm module exited (${code})`); },
  };
  const imports = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(mod)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = wasi[imp.name] ?? (() => 52); // ENOSYS
  }
  const instance = await WebAssembly.instantiate(mod, imports);
  memory = instance.exports.memory;
  instance.exports._initialize();
  return bind(instance.exports, variant);
}

function bind(ex, variant) {
  const memory = ex.memory;
  const u32 = (p) => p >>> 0; // wasm i32 results are signed in JS
  const dv = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const scratch = u32(ex.malloc(256)); // out-parameters of one call at a time

  function cstr(p) {
    const b = bytes();
    let e = p;
    while (b[e]) e++;
    return new TextDecoder().decode(b.subarray(p, e));
  }
  function alloc(n) {
    const p = u32(ex.malloc(Math.max(n, 1)));
    if (!p) throw new SynkError('SYNK_E_NOMEM', 5, `malloc(${n})`);
    return p;
  }
  // Copy a byte or word array into wasm memory (freed by the caller). The
  // allocation may grow the memory, detaching arr if it lives there: its
  // place is read first.
  function copyIn(arr) {
    const inWasm = arr.buffer === memory.buffer, off = arr.byteOffset, len = arr.byteLength;
    const p = alloc(len);
    if (inWasm) bytes().copyWithin(p, off, off + len);
    else bytes().set(new Uint8Array(arr.buffer, off, len), p);
    return p;
  }
  // Run fn(ptr, len) on data, without a copy when data already lives in wasm memory.
  function withBytes(data, fn) {
    if (data.buffer === memory.buffer) return fn(data.byteOffset, data.byteLength);
    const p = copyIn(data);
    try { return fn(p, data.byteLength); } finally { ex.free(p); }
  }
  function check(st, what, extra) {
    if (st !== 0) {
      const name = cstr(u32(ex.synk_status_str(st)));
      throw new SynkError(name, st, what, extra ? extra() : undefined);
    }
  }
  const uint = (v, what) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xFFFFFFFF) throw new RangeError(`${what}: not a uint32: ${v}`);
    return v | 0; // passed as i32: the same bits
  };
  const int = (v, what) => {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7FFFFFFF) throw new RangeError(`${what}: not an int32: ${v}`);
    return v;
  };
  const u64 = (v, what) => {
    const b = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : null;
    if (b === null || b < 0n || b >= 1n << 64n) throw new RangeError(`${what}: not a uint64: ${v}`);
    return b; // passed as i64: the same bits
  };
  const words = (arr, k, what) => {
    if (!(arr instanceof Int32Array || arr instanceof Uint32Array) || arr.length % k)
      throw new TypeError(`${what}: expected an Int32Array or Uint32Array of ${k} words per record`);
    return arr.length / k;
  };
  // Read a size-queried output: fn(buf, cap, lenPtr) -> status, twice.
  function sized(what, fn) {
    const lenp = scratch + 200;
    check(fn(0, 0, lenp), what);
    const len = dv().getUint32(lenp, true);
    const p = alloc(len);
    try {
      check(fn(p, len, lenp), what);
      return bytes().slice(p, p + dv().getUint32(lenp, true));
    } finally { ex.free(p); }
  }

  // A synk_config at p (wasm/layout.c pins the layout): every byte of the
  // struct zeroed first, so fields after seed (the allocator, and any a
  // later synk.h adds) are NULL / 0.
  function config(p, maxEntities, numProps, seed) {
    bytes().fill(0, p, p + 32);
    const v = dv();
    v.setUint32(p, uint(maxEntities, 'maxEntities'), true);
    v.setUint32(p + 4, uint(numProps, 'numProps'), true);
    v.setBigUint64(p + 8, u64(seed, 'seed'), true);
  }

  const live = new Set(); // worlds not yet destroyed (their memory is in use)

  class World {
    /** new World(maxEntities, numProps = 0, seed = 0n): synk_world_create. */
    constructor(maxEntities, numProps = 0, seed = 0n, _ptr = 0) {
      if (_ptr) {
        this._p = _ptr;
      } else {
        config(scratch, maxEntities, numProps, seed);
        check(ex.synk_world_create(scratch, scratch + 32), 'synk_world_create');
        this._p = dv().getUint32(scratch + 32, true);
      }
      ex.synk_get_view(scratch, this._p); // the columns never move while the world lives
      const w = dv();
      const at = (o) => w.getUint32(scratch + o, true);
      this.capacity = at(84);
      this.numProps = at(88);
      this._cols = { x: at(0), y: at(4), z: at(8), kind: at(12), alive: at(80) };
      this._props = Array.from({ length: this.numProps }, (_, s) => at(16 + 4 * s));
      live.add(this);
    }
    _w() {
      if (!this._p) throw new Error('synk: the world is destroyed');
      return this._p;
    }
    /** Free the world (synk_world_destroy). Its views must not be used after. */
    destroy() {
      if (this._p) ex.synk_world_destroy(this._p);
      this._p = 0;
      live.delete(this);
    }
    spawn(id, kind, x, y, z) {
      check(ex.synk_spawn(this._w(), uint(id, 'id'), uint(kind, 'kind'), int(x, 'x'), int(y, 'y'), int(z, 'z')),
        'synk_spawn');
    }
    despawn(id) { check(ex.synk_despawn(this._w(), uint(id, 'id')), 'synk_despawn'); }
    move(id, dx, dy, dz) {
      check(ex.synk_move(this._w(), uint(id, 'id'), int(dx, 'dx'), int(dy, 'dy'), int(dz, 'dz')), 'synk_move');
    }
    setProp(id, slot, value) {
      check(ex.synk_set_prop(this._w(), uint(id, 'id'), uint(slot, 'slot'), int(value, 'value')), 'synk_set_prop');
    }
    tick() { ex.synk_tick(this._w()); }
    /** {id, kind, x, y, z, props} of a live id (synk_get). */
    get(id) {
      check(ex.synk_get(this._w(), uint(id, 'id'), scratch), 'synk_get');
      const v = dv();
      const i = (o) => v.getInt32(scratch + o, true);
      return {
        id: v.getUint32(scratch, true), kind: v.getUint32(scratch + 4, true), x: i(8), y: i(12), z: i(16),
        props: Array.from({ length: this.numProps }, (_, s) => i(20 + 4 * s)),
      };
    }
    count() { return u32(ex.synk_count(this._w())); }
    frame() { return BigInt.asUintN(64, ex.synk_frame(this._w())); }
    hash() { return BigInt.asUintN(64, ex.synk_hash(this._w())); }
    rehash() { return BigInt.asUintN(64, ex.synk_rehash(this._w())); }
    entityHash(id) {
      check(ex.synk_entity_hash(this._w(), uint(id, 'id'), scratch), 'synk_entity_hash');
      return dv().getBigUint64(scratch, true);
    }
    /** Per-chunk sums of entity hashes, a BigUint64Array (a copy). */
    chunkHashes() {
      const n = u32(ex.synk_chunk_hashes(this._w(), 0, 0));
      const p = alloc(8 * n);
      try {
        ex.synk_chunk_hashes(this._w(), p, n);
        return new BigUint64Array(memory.buffer.slice(p, p + 8 * n));
      } finally { ex.free(p); }
    }
    /** {maxEntities, numProps, seed} (synk_get_config). */
    config() {
      ex.synk_get_config(scratch, this._w());
      const v = dv();
      return { maxEntities: v.getUint32(scratch, true), numProps: v.getUint32(scratch + 4, true),
        seed: v.getBigUint64(scratch + 8, true) };
    }
    // Zero-copy views: typed arrays over the world's columns in wasm memory,
    // indexed by id, current with every event. Memory growth (any call that
    // allocates: a new world, a snapshot, a large input) detaches the old
    // ones: read w.x again after such calls rather than keeping it.
    _col(p, T, n) { this._w(); return new T(memory.buffer, p, n); }
    get x() { return this._col(this._cols.x, Int32Array, this.capacity); }
    get y() { return this._col(this._cols.y, Int32Array, this.capacity); }
    get z() { return this._col(this._cols.z, Int32Array, this.capacity); }
    get kind() { return this._col(this._cols.kind, Uint32Array, this.capacity); }
    /** The alive bitmap: bit id % 64 of word id / 64 (a BigUint64Array view). */
    get alive() { return this._col(this._cols.alive, BigUint64Array, Math.ceil(this.capacity / 64)); }
    /** One Int32Array view per property slot. */
    get props() { return this._props.map((p) => this._col(p, Int32Array, this.capacity)); }
    /** An Int32Array of n motions (id, dx, dy, dz) inside wasm memory, for
     * applyMotions without a copy; release it with freeBuffer. */
    motionBuffer(n) {
      const p = alloc(16 * n); // first: it may grow the memory
      return new Int32Array(memory.buffer, p, 4 * n);
    }
    freeBuffer(buf) { ex.free(buf.byteOffset); }
    /** Apply motions atomically (synk_apply_motions): an Int32Array of
     * 4 words per motion; read in place when it lives in wasm memory
     * (motionBuffer), else copied once. Errors carry .index. */
    applyMotions(m) {
      const n = words(m, 4, 'applyMotions');
      const w = this._w();
      withBytes(m, (p) => check(ex.synk_apply_motions(w, p, n, scratch), 'synk_apply_motions',
        () => ({ index: dv().getUint32(scratch, true) })));
    }
    /** Apply decoded events (6 words each) atomically; errors carry .index. */
    eventsApply(ev) {
      const n = words(ev, 6, 'eventsApply');
      const w = this._w();
      withBytes(ev, (p) => check(ex.synk_events_apply(w, p, n, scratch), 'synk_events_apply',
        () => ({ index: dv().getUint32(scratch, true) })));
    }
    /** Decode and apply stream bytes (synk_stream_apply) from pos; maxTicks
     * 0: to the end; > 0: per tick / a stream still arriving. Returns
     * {pos, events, end}; errors carry .badEvent and .badOffset. */
    streamApply(data, pos = 0, maxTicks = 0n) {
      const w = this._w();
      return withBytes(data, (p, len) => {
        const info = scratch + 32, posp = scratch + 64;
        dv().setUint32(posp, uint(pos, 'pos'), true);
        check(ex.synk_stream_apply(w, p, len, posp, BigInt.asIntN(64, u64(maxTicks, 'maxTicks')), info),
          'synk_stream_apply',
          () => ({ badEvent: dv().getUint32(info + 8, true), badOffset: dv().getUint32(info + 12, true) }));
        const v = dv();
        return { pos: v.getUint32(posp, true), events: v.getUint32(info, true), end: v.getInt32(info + 16, true) !== 0 };
      });
    }
    /** The world as snapshot bytes (synk_snapshot_save), a Uint8Array. */
    snapshot() { const w = this._w(); return sized('synk_snapshot_save', (b, c, l) => ex.synk_snapshot_save(w, b, c, l)); }
    snapshotSize() { return u32(ex.synk_snapshot_size(this._w())); }
    /** Delta bytes from this world to target (synk_delta_encode). */
    deltaTo(target) {
      const a = this._w(), b = target._w();
      return sized('synk_delta_encode', (p, c, l) => ex.synk_delta_encode(a, b, p, c, l));
    }
    /** Apply a delta whose base is this world (synk_delta_apply). */
    deltaApply(data) {
      const w = this._w();
      withBytes(data, (p, len) => check(ex.synk_delta_apply(w, p, len), 'synk_delta_apply'));
    }
    /** Attach a Ring of `slots` saved frames (synk_ring_create). */
    ring(slots) {
      check(ex.synk_ring_create(this._w(), uint(slots, 'slots'), scratch), 'synk_ring_create');
      return new Ring(dv().getUint32(scratch, true), this);
    }
    /** A new world from snapshot bytes of a world of exactly this config. */
    static fromSnapshot(data, maxEntities, numProps = 0, seed = 0n) {
      const cfg = alloc(40);
      try {
        config(cfg, maxEntities, numProps, seed);
        withBytes(data, (p, len) => check(ex.synk_snapshot_load(p, len, cfg, cfg + 32), 'synk_snapshot_load'));
        return new World(0, 0, 0n, dv().getUint32(cfg + 32, true));
      } finally { ex.free(cfg); }
    }
  }

  class Ring {
    constructor(p, world) { this._r = p; this.world = world; }
    _ring() { if (!this._r) throw new Error('synk: the ring is destroyed'); this.world._w(); return this._r; }
    save() { check(ex.synk_ring_save(this._ring()), 'synk_ring_save'); }
    has(frame) { return ex.synk_ring_has(this._ring(), BigInt.asIntN(64, u64(frame, 'frame'))) !== 0; }
    restore(frame) { check(ex.synk_ring_restore(this._ring(), BigInt.asIntN(64, u64(frame, 'frame'))), 'synk_ring_restore'); }
    /** {bytes, isSnapshot}: a delta from frame to now, or a snapshot when it is gone. */
    since(frame) {
      const r = this._ring();
      const snap = scratch + 220;
      const f = BigInt.asIntN(64, u64(frame, 'frame'));
      const out = sized('synk_ring_since', (p, c, l) => ex.synk_ring_since(r, f, p, c, l, snap));
      return { bytes: out, isSnapshot: dv().getInt32(snap, true) !== 0 };
    }
    destroy() { if (this._r) ex.synk_ring_destroy(this._r); this._r = 0; }
  }

  /** Writes one event stream in pieces (synk_stream_write). */
  class StreamWriter {
    constructor() {
      this._s = alloc(16);
      bytes().fill(0, this._s, this._s + 16);
    }
    /** The next piece (Uint8Array) for events (6 words each); final ends the stream. */
    write(ev, final = false) {
      const n = words(ev, 6, 'StreamWriter.write');
      if (!this._s) throw new Error('synk: the writer is freed');
      return withBytes(ev, (p) => sized('synk_stream_write',
        (b, c, l) => ex.synk_stream_write(this._s, p, n, final ? 1 : 0, b, c, l)));
    }
    get bytes() { return Number(dv().getBigUint64(this._s, true)); }
    get finished() { return dv().getUint32(this._s + 12, true) === 2; }
    free() { if (this._s) ex.free(this._s); this._s = 0; }
  }

  /** Encode events (Int32Array, 6 words each) as one stream (Uint8Array). */
  function streamEncode(ev) {
    const n = words(ev, 6, 'streamEncode');
    return withBytes(ev, (p) => sized('synk_stream_encode', (b, c, l) => ex.synk_stream_encode(p, n, b, c, l)));
  }
  /** Decode a whole stream into an Int32Array of 6 words per event. */
  function streamDecode(data) {
    return withBytes(data, (p, len) => {
      const np = scratch + 100, info = scratch + 120;
      const err = () => ({ badOffset: dv().getUint32(info + 12, true), badEvent: dv().getUint32(info + 8, true) });
      check(ex.synk_stream_decode(p, len, 0, 0, np, info), 'synk_stream_decode', err);
      const n = dv().getUint32(np, true);
      const out = alloc(24 * n);
      try {
        check(ex.synk_stream_decode(p, len, out, n, np, info), 'synk_stream_decode', err);
        return new Int32Array(memory.buffer.slice(out, out + 24 * n));
      } finally { ex.free(out); }
    });
  }
  /** Sort and coalesce runs of motions (synk_events_coalesce); returns the events. */
  function eventsCoalesce(ev) {
    const n = words(ev, 6, 'eventsCoalesce');
    const p = copyIn(ev);
    try {
      dv().setUint32(scratch, n, true);
      check(ex.synk_events_coalesce(p, scratch), 'synk_events_coalesce');
      return new Int32Array(memory.buffer.slice(p, p + 24 * dv().getUint32(scratch, true)));
    } finally { ex.free(p); }
  }
  /** A snapshot's header without loading it (synk_snapshot_inspect). */
  function snapshotInspect(data) {
    return withBytes(data, (p, len) => {
      check(ex.synk_snapshot_inspect(p, len, scratch), 'synk_snapshot_inspect');
      const v = dv();
      const q = (o) => v.getBigUint64(scratch + o, true);
      return { maxEntities: v.getUint32(scratch, true), numProps: v.getUint32(scratch + 4, true), seed: q(8),
        frame: q(16), count: q(24), hash: q(32), size: v.getUint32(scratch + 40, true) };
    });
  }
  function names(fn) {
    const n = u32(fn(0, 0));
    const p = alloc(4 * n);
    try {
      fn(p, n);
      return Array.from({ length: n }, (_, i) => cstr(dv().getUint32(p + 4 * i, true)));
    } finally { ex.free(p); }
  }
  function withCString(s, fn) {
    const b = new TextEncoder().encode(s + '\0');
    const p = copyIn(b);
    try { return fn(p); } finally { ex.free(p); }
  }

  return Object.freeze({
    variant, World, Ring, StreamWriter, SynkError, Status, Event, memory,
    streamEncode, streamDecode, eventsCoalesce, snapshotInspect,
    streamBound: (n) => u32(ex.synk_stream_bound(uint(n, 'n'))),
    /** Name of the active backend ('wasm' or 'scalar'). */
    isa: () => cstr(u32(ex.synk_isa())),
    /** Force a backend by name (or 'auto'); SYNK_E_ISA when not runnable. */
    useIsa: (name) => withCString(name, (p) => check(ex.synk_use_isa(p), 'synk_use_isa')),
    isaList: () => names(ex.synk_isa_list),
    cpuFeatures: () => names(ex.synk_cpu_features),
    version: () => cstr(u32(ex.synk_version())),
    statusStr: (code) => cstr(u32(ex.synk_status_str(code))),
    crc32c: (data, crc = 0) => { const c = uint(crc, 'crc'); return withBytes(data, (p, len) => u32(ex.synk_crc32c(c, p, len))); },
  });
}
