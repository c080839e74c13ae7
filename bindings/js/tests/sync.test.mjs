// SPDX-License-Identifier: MIT
// Streams, snapshots, deltas and rings through the JS API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env } from './env.mjs';

const { loadSynk } = await import(env.packageEntry);
const synk = await loadSynk();
const { World, Event: E, StreamWriter } = synk;
const ev = (rows) => new Int32Array(rows.flat());
const TICK1 = [[E.SPAWN, 1, 3, 10, 20, 30], [E.SPAWN, 2, 4, -1, -2, -3], [E.MOTION, 1, 0, 5, 0, 0],
  [E.PROP, 2, 1, 77, 0, 0], [E.TICK, 0, 1, 0, 0, 0]];
const TICK2 = [[E.MOTION, 2, 0, 1, 1, 1], [E.DESPAWN, 1, 0, 0, 0, 0], [E.TICK, 0, 2, 0, 0, 0]];

test('encode, decode, apply', () => {
  const events = ev([...TICK1, ...TICK2]);
  const data = synk.streamEncode(events);
  assert.ok(data instanceof Uint8Array && data.length <= synk.streamBound(8));
  assert.deepEqual(synk.streamDecode(data), events);
  const a = new World(100, 2, 9n), b = new World(100, 2, 9n);
  assert.deepEqual(a.streamApply(data), { pos: data.length, events: 8, end: true });
  b.eventsApply(events);
  assert.equal(a.hash(), b.hash());
  assert.equal(a.frame(), 3n);
  a.destroy();
  b.destroy();
});

test('a stream written in pieces, applied as it arrives', () => {
  const sw = new StreamWriter();
  const p1 = sw.write(ev(TICK1));
  const p2 = sw.write(ev(TICK2), true);
  assert.ok(sw.finished);
  assert.equal(sw.bytes, p1.length + p2.length);
  const whole = new Uint8Array([...p1, ...p2]);
  assert.deepEqual(whole, synk.streamEncode(ev([...TICK1, ...TICK2])));
  assert.throws(() => sw.write(ev(TICK1)), (e) => e.status === 'SYNK_E_ARG');
  sw.free();
  const w = new World(100, 2, 9n);
  let info = w.streamApply(p1, 0, 2n ** 64n - 1n);
  assert.equal(info.end, false);
  info = w.streamApply(whole, info.pos, 2n ** 64n - 1n);
  assert.equal(info.end, true);
  const ref = new World(100, 2, 9n);
  ref.eventsApply(ev([...TICK1, ...TICK2]));
  assert.equal(w.hash(), ref.hash());
  w.destroy();
  ref.destroy();
});

test('bad bytes raise FORMAT errors and change nothing', () => {
  const data = synk.streamEncode(ev([...TICK1, ...TICK2]));
  const w = new World(100, 2, 9n);
  const h = w.hash();
  assert.throws(() => w.streamApply(data.subarray(0, data.length - 1)),
    (e) => e.status === 'SYNK_E_FORMAT' && typeof e.badOffset === 'number');
  const bad = data.slice();
  bad[bad.length >> 1] ^= 0x40;
  assert.throws(() => w.streamApply(bad), (e) => e.status === 'SYNK_E_FORMAT');
  assert.throws(() => synk.streamDecode(bad), (e) => e.status === 'SYNK_E_FORMAT');
  assert.throws(() => synk.snapshotInspect(new Uint8Array(3)), (e) => e.status === 'SYNK_E_FORMAT');
  assert.throws(() => World.fromSnapshot(new Uint8Array(60), 100, 2, 9n), (e) => e.status === 'SYNK_E_FORMAT');
  assert.throws(() => w.deltaApply(new Uint8Array(10)), (e) => e.status === 'SYNK_E_FORMAT');
  w.spawn(2, 0, 0, 0, 0);
  assert.throws(() => w.streamApply(data), (e) => e.status === 'SYNK_E_EXISTS' && e.badEvent === 1);
  assert.equal(w.count(), 1);
  assert.notEqual(w.hash(), h);
  w.destroy();
});

function populated() {
  const w = new World(600, 2, 5n);
  for (let i = 0; i < 600; i += 3) {
    w.spawn(i, i % 7, i, -i, 2 * i);
    w.setProp(i, i % 2, i * 11);
  }
  w.tick();
  return w;
}

test('snapshots and deltas', () => {
  const base = populated();
  const snap = base.snapshot();
  assert.equal(snap.length, base.snapshotSize());
  assert.deepEqual(synk.snapshotInspect(snap), { maxEntities: 600, numProps: 2, seed: 5n, frame: 1n, count: 200n,
    hash: base.hash(), size: snap.length });
  const target = World.fromSnapshot(snap, 600, 2, 5n);
  assert.equal(target.hash(), base.hash());
  assert.deepEqual(target.x, base.x);
  assert.throws(() => World.fromSnapshot(snap, 600, 2, 6n), (e) => e.status === 'SYNK_E_MISMATCH');
  target.move(3, 1, 2, 3);
  target.despawn(6);
  target.tick();
  const d = base.deltaTo(target);
  const peer = World.fromSnapshot(snap, 600, 2, 5n);
  peer.deltaApply(d);
  assert.equal(peer.hash(), target.hash());
  assert.throws(() => peer.deltaApply(d), (e) => e.status === 'SYNK_E_MISMATCH');
  for (const w of [base, target, peer]) w.destroy();
});

test('rings: rollback and catch-up', () => {
  const w = populated();
  const r = w.ring(8);
  r.save();
  const f0 = w.frame(), h0 = w.hash();
  const old = World.fromSnapshot(w.snapshot(), 600, 2, 5n);
  for (let i = 0; i < 3; i++) {
    w.move(0, 1, 1, 1);
    w.tick();
    r.save();
  }
  assert.ok(r.has(f0) && !r.has(f0 + 100n));
  const { bytes, isSnapshot } = r.since(f0);
  assert.equal(isSnapshot, false);
  old.deltaApply(bytes);
  assert.equal(old.hash(), w.hash());
  assert.equal(r.since(f0 + 100n).isSnapshot, true);
  r.restore(f0);
  assert.equal(w.hash(), h0);
  assert.throws(() => r.restore(f0 + 100n), (e) => e.status === 'SYNK_E_RANGE');
  r.destroy();
  w.destroy();
  old.destroy();
});

test('eventsCoalesce', () => {
  const out = synk.eventsCoalesce(ev([[E.MOTION, 9, 0, 1, 0, 0], [E.MOTION, 3, 0, 1, 1, 1], [E.MOTION, 9, 0, 2, 0, 0]]));
  assert.deepEqual(out, ev([[E.MOTION, 3, 0, 1, 1, 1], [E.MOTION, 9, 0, 3, 0, 0]]));
});
