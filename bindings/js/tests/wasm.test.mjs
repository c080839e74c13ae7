// SPDX-License-Identifier: MIT
// The two modules: they import only the three WASI calls synk.js provides,
// export exactly the public headers' functions (plus malloc/free, memory,
// _initialize),
// and only the SIMD one holds SIMD128 code (llvm-objdump disassembly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { env, publicApi } from './env.mjs';

const api = publicApi(env.sourceDir);

for (const variant of ['simd', 'scalar']) {
  const file = join(env.packageDir, `synk-${variant}.wasm`);
  const mod = new WebAssembly.Module(readFileSync(file));
  test(`${variant}: imports and exports`, () => {
    assert.deepEqual(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`).sort(),
      ['environ_get', 'environ_sizes_get', 'proc_exit'].map((n) => `wasi_snapshot_preview1.${n}`));
    assert.ok(api.length >= 40);
    assert.deepEqual(WebAssembly.Module.exports(mod).map((e) => e.name).sort(),
      [...api, 'malloc', 'free', 'memory', '_initialize'].sort());
  });
  test(`${variant}: SIMD128 code ${variant === 'simd' ? 'present' : 'absent'}`, () => {
    const asm = execFileSync(process.env.SYNK_OBJDUMP, ['-d', file], { maxBuffer: 1 << 28 }).toString();
    const simd = (asm.match(/\b(v128|[if](8x16|16x8|32x4|64x2))\.\w+/g) || []).length;
    assert.ok(asm.length > 10000, 'no disassembly');
    if (variant === 'simd') assert.ok(simd > 100, `only ${simd} SIMD128 instructions`);
    else assert.equal(simd, 0);
  });
}
