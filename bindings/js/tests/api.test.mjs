// SPDX-License-Identifier: MIT
// The JS API over each module: every World method, views that alias wasm
// memory, and errors that carry the status name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env } from './env.mjs';

const { loadSynk, hasSimd128, SynkError } = await import(env.packageEntry);

test('synk.d.ts declares the whole API', async () => {
  const { readFileSync } = await import('node:fs');
  const dts = readFileSync(new URL('synk.d.ts', env.packageEntry), 'utf8');
  const synk = await loadSynk();
  const missing = Object.keys(synk).filter((k) => !new RegExp(`\\b${k}\\b`).test(dts));
  for (const cls of ['World', 'Ring', 'StreamWriter']) {
    const body = dts.slice(dts.indexOf(`export declare class ${cls} `));
    const members = [...Object.getOwnPropertyNames(synk[cls].prototype), ...Object.getOwnPropertyNames(synk[cls])]
      .filter((k) => !k.startsWith('_') && !['constructor', 'length', 'name', 'prototype'].includes(k));
    missing.push(...members.filter((k) => !new RegExp(`\\b${k}\\b`).test(body.slice(0, body.indexOf('\n}')))).map((k) => `${cls}.${k}`));
  }
  assert.deepEqual(missing, []);
});

test('auto picks the SIMD128 module on an engine that has SIMD128', async () => {
  assert.equal(hasSimd128(), true); // Node >= 16 ships SIMD128
  assert.equal((await loadSynk()).variant, 'simd');
  await assert.rejects(loadSynk({ variant: 'avx2' }), /unknown variant/);
});

for (const variant of ['simd', 'scalar']) {
  const synk = await loadSynk({ variant });
  const { World, Status } = synk;

  test(`${variant}: events and queries`, () => {
    const w = new World(1000, 3, 0x5EEDn);
    assert.deepEqual(w.config(), { maxEntities: 1000, numProps: 3, seed: 0x5EEDn });
    assert.equal(w.capacity, 1000);
    w.spawn(7, 2, 100, -50, 0);
    w.move(7, 5, 5, 0);
    w.setProp(7, 2, -250);
    w.tick();
    assert.deepEqual(w.get(7), { id: 7, kind: 2, x: 105, y: -45, z: 0, props: [0, 0, -250] });
    assert.equal(w.count(), 1);
    assert.equal(w.frame(), 1n);
    assert.equal(typeof w.hash(), 'bigint');
    assert.equal(w.hash(), w.rehash());
    const chunks = w.chunkHashes();
    assert.equal(chunks.length, 4);
    assert.equal(chunks[0], w.entityHash(7));
    w.despawn(7);
    assert.equal(w.count(), 0);
    w.destroy();
    assert.throws(() => w.hash(), /destroyed/);
    assert.throws(() => w.x, /destroyed/);
    w.destroy(); // twice is fine
  });

  test(`${variant}: 64-bit seeds and uint32 kinds round-trip`, () => {
    const w = new World(2, 0, 0xFFFFFFFFFFFFFFFFn);
    assert.equal(w.config().seed, 0xFFFFFFFFFFFFFFFFn);
    w.spawn(1, 0xFFFFFFFF, 0x7FFFFFFF, -0x80000000, 0);
    w.move(1, 1, -1, -1);
    assert.deepEqual(w.get(1), { id: 1, kind: 0xFFFFFFFF, x: -0x80000000, y: 0x7FFFFFFF, z: -1, props: [] });
    w.destroy();
  });

  test(`${variant}: errors carry the status name and change nothing`, () => {
    const w = new World(100, 1, 1n);
    w.spawn(1, 0, 0, 0, 0);
    const h = w.hash();
    const cases = [
      ['SYNK_E_RANGE', () => w.spawn(100, 0, 0, 0, 0)],
      ['SYNK_E_EXISTS', () => w.spawn(1, 0, 0, 0, 0)],
      ['SYNK_E_DEAD', () => w.move(2, 1, 1, 1)],
      ['SYNK_E_DEAD', () => w.despawn(2)],
      ['SYNK_E_RANGE', () => w.setProp(1, 1, 5)],
      ['SYNK_E_DEAD', () => w.get(3)],
      ['SYNK_E_ISA', () => synk.useIsa('avx2')],
      ['SYNK_E_ARG', () => new World(0)],
    ];
    for (const [status, fn] of cases) {
      assert.throws(fn, (e) => e instanceof SynkError && e.status === status && e.code === Status[status.slice(5)] &&
        e.message.startsWith(`${status}: synk_`));
      assert.equal(w.hash(), h);
    }
    assert.throws(() => w.move(2 ** 32, 0, 0, 0), RangeError);
    assert.throws(() => w.move(1, 2 ** 31, 0, 0), RangeError);
    assert.throws(() => w.move(1, 0.5, 0, 0), RangeError);
    for (const seed of [-1n, 1n << 64n, 0.5]) assert.throws(() => new World(4, 0, seed), RangeError); // never wrapped
    assert.throws(() => w.streamApply(new Uint8Array(0), 0, -1n), RangeError);
    assert.throws(() => synk.crc32c(new Uint8Array(0), 2 ** 32), RangeError);
    assert.equal(synk.statusStr(4), 'SYNK_E_DEAD');
    w.destroy();
  });

  test(`${variant}: views alias wasm memory`, () => {
    const w = new World(300, 2, 9n);
    const x = w.x, kind = w.kind, alive = w.alive, p1 = w.props[1];
    assert.equal(x.buffer, synk.memory.buffer); // a view, not a copy
    assert.equal(x.length, 300);
    assert.equal(alive.length, 5);
    w.spawn(200, 6, 1, 2, 3);
    w.setProp(200, 1, 77);
    assert.equal(x[200], 1); // the view taken before the event sees it
    assert.equal(kind[200], 6);
    assert.equal(p1[200], 77);
    assert.equal(alive[3], 1n << 8n);
    w.move(200, 10, 0, 0);
    assert.equal(x[200], 11);
    w.applyMotions(new Int32Array([200, 0, 4, 0]));
    assert.equal(w.y[200], 6);
    assert.equal(w.props.length, 2);
    w.destroy();
  });

  test(`${variant}: applyMotions in place, atomic, with the failing index`, () => {
    const a = new World(50, 0, 3n), b = new World(50, 0, 3n);
    for (const w of [a, b]) for (let i = 0; i < 10; i++) w.spawn(i, 0, i, 0, 0);
    const m = a.motionBuffer(3); // lives in wasm memory: read without a copy
    m.set([3, 1, 2, 3, 3, -1, 0, 0, 9, 0x7FFFFFFF, 0, 1]);
    a.applyMotions(m);
    for (let i = 0; i < 3; i++) b.move(m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]);
    assert.equal(a.hash(), b.hash());
    const h = a.hash();
    m[4] = 20;
    assert.throws(() => a.applyMotions(m), (e) => e.status === 'SYNK_E_DEAD' && e.index === 1);
    assert.equal(a.hash(), h);
    assert.throws(() => a.applyMotions(new Int32Array([1, 2, 3])), TypeError);
    assert.throws(() => a.applyMotions([1, 2, 3, 4]), TypeError);
    a.freeBuffer(m);
    a.destroy();
    b.destroy();
  });

  test(`${variant}: buffers taken across memory growth`, async () => {
    const fresh = await loadSynk({ variant }); // a small memory: the next allocations grow it
    const w = new fresh.World(8, 0, 1n);
    w.spawn(1, 0, 0, 0, 0);
    const before = fresh.memory.buffer.byteLength;
    const big = w.motionBuffer(1 << 22); // 64 MiB: grows the memory
    assert.ok(fresh.memory.buffer.byteLength > before);
    assert.equal(big.length, 4 << 22);
    big.fill(0);
    big.set([1, 5, 6, 7]);
    w.applyMotions(big.subarray(0, 4));
    assert.equal(w.x[1], 5);
    const ev = w.motionBuffer(2).subarray(0, 6); // 6 words in wasm memory: one event
    ev.set([fresh.Event.MOTION, 1, 0, 1, 1, 1]);
    const bigger = w.motionBuffer(1 << 23); // grows again: ev is detached
    assert.equal(ev.length, 0);
    w.freeBuffer(bigger);
    const ev2 = w.motionBuffer(2).subarray(0, 6); // an input inside wasm memory, copied within it
    ev2.set([fresh.Event.MOTION, 1, 0, 1, 1, 1]);
    assert.deepEqual(fresh.eventsCoalesce(ev2), new Int32Array([fresh.Event.MOTION, 1, 0, 1, 1, 1]));
    w.freeBuffer(big);
    w.destroy();
  });

  test(`${variant}: module functions`, () => {
    assert.equal(synk.version(), '0.1.0');
    assert.equal(synk.crc32c(new TextEncoder().encode('123456789')), 0xE3069283);
    assert.ok(synk.streamBound(10) > synk.streamBound(1));
    assert.deepEqual(synk.cpuFeatures(), variant === 'simd' ? ['simd128'] : []);
    synk.useIsa('auto');
    assert.equal(synk.isa(), variant === 'simd' ? 'wasm' : 'scalar');
  });
}
