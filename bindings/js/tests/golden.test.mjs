// SPDX-License-Identifier: MIT
// The golden scenarios in WebAssembly: every call of the C library's trace
// replayed through the JS API, in both modules and on every backend each
// runs, must see C's statuses, entities and rehashes and end on the golden
// (native) hash of support/golden.h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './env.mjs';
import { parseGolden, replay } from './replay.mjs';

const golden = parseGolden(readFileSync(env.golden, 'utf8'));
const { loadSynk } = await import(env.packageEntry);

test('every golden scenario has a trace', () => {
  const names = readdirSync(env.traces).filter((f) => f.endsWith('.trace')).map((f) => f.slice(0, -6));
  assert.deepEqual(names.sort(), Object.keys(golden).sort());
});

for (const variant of ['simd', 'scalar']) {
  const synk = await loadSynk({ variant });
  const isas = synk.isaList();
  test(`${variant} module runs the expected backends`, () => {
    assert.deepEqual(isas, variant === 'simd' ? ['wasm', 'scalar'] : ['scalar']);
  });
  for (const isa of isas) {
    test(`golden scenarios, ${variant} module, ${isa} backend`, () => {
      synk.useIsa(isa);
      assert.equal(synk.isa(), isa);
      for (const [name, want] of Object.entries(golden)) {
        const { hash, cHash } = replay(synk, readFileSync(join(env.traces, `${name}.trace`)));
        assert.equal(cHash, want, `${name}: the C trace disagrees with golden.h`);
        assert.equal(hash, want, `${name}: ${hash.toString(16)} != golden ${want.toString(16)}`);
      }
    });
  }
}
