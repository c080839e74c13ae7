// SPDX-License-Identifier: MIT
// WebAssembly in Node.js against native, same workloads:
//
//   node bench/js_bench.mjs BUILD_DIR [--quick]
//
// synk_rehash of a 10k world (all alive, no props) per entity, and
// synk_apply_motions of 1e4 distinct motions in random order (deltas in
// [-1000, 1000]) per motion, in the SIMD128 module (wasm backend), the same
// module on its scalar backend, and the scalar module; native figures from
// the C harness (BUILD_DIR/bench/synk_bench, cases hash/rehash/1e4/p0 and
// motion/batch/peer-perm1e4, avx2 and scalar). Rounds alternate native and
// wasm runs so a busy machine shifts both alike; the fastest epoch of the
// fastest round counts on both sides (the C harness reports its min too). The
// calls are made through the package's API (one JS -> wasm call each; the
// motions live in wasm memory, read in place). Prints a markdown table.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const build = resolve(process.argv[2] || 'build/release');
const quick = process.argv.includes('--quick');
const { loadSynk } = await import(join(build, 'js/synk/synk.js'));
const rounds = quick ? 2 : 5, epochs = quick ? 5 : 11, N = 10000;

function xorshift(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return s >>> 0; };
}

function perOp(fn, ops) { // the fastest epoch's ns per op (epochs of ~20 ms)
  fn();
  let reps = 1;
  for (let t = 0; t < 2e7; reps *= 2) {
    const a = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    t = Number(process.hrtime.bigint() - a);
    if (t > 2e7) break;
  }
  const out = [];
  for (let e = 0; e < epochs; e++) {
    const a = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    out.push(Number(process.hrtime.bigint() - a) / reps / ops);
  }
  return Math.min(...out);
}

async function wasmRun(variant, isa) {
  const synk = await loadSynk({ variant });
  synk.useIsa(isa);
  const w = new synk.World(N, 0, BigInt(2000 + N));
  const r = xorshift(7);
  for (let i = 0; i < N; i++) w.spawn(i, r() % 16, (r() % 2097152) - 1048576, (r() % 2097152) - 1048576, (r() % 2048) - 1024);
  const m = w.motionBuffer(N);
  const ids = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) { const j = r() % (i + 1); [ids[i], ids[j]] = [ids[j], ids[i]]; }
  for (let i = 0; i < N; i++) m.set([ids[i], (r() % 2001) - 1000, (r() % 2001) - 1000, (r() % 2001) - 1000], 4 * i);
  const res = { rehash: perOp(() => w.rehash(), N), batch: perOp(() => w.applyMotions(m), N) };
  w.freeBuffer(m);
  w.destroy();
  return res;
}

function nativeRun(dir) {
  const out = join(dir, 'ref.json');
  const isas = execFileSync(join(build, 'bench/synk_bench'), ['--list-isas']).toString().split('\n');
  const args = ['--no-peers', '--filter', 'hash/rehash/1e4/p0,motion/batch/peer-perm1e4', '--epochs', String(epochs),
    '--json', out];
  for (const isa of ['avx2', 'scalar']) if (isas.includes(isa)) args.push('--isa', isa);
  execFileSync(join(build, 'bench/synk_bench'), args, { stdio: 'ignore' });
  const res = {};
  for (const r of JSON.parse(readFileSync(out, 'utf8')).results)
    res[`${r.isa}/${r.case.startsWith('hash') ? 'rehash' : 'batch'}`] = r.min_ns_per_op;
  return res;
}

const dir = mkdtempSync(join(tmpdir(), 'synk-jsbench-'));
const wasm = { 'simd module, wasm backend': [], 'simd module, scalar backend': [], 'scalar module': [] };
const native = [];
try {
  for (let i = 0; i < rounds; i++) {
    native.push(nativeRun(dir));
    wasm['simd module, wasm backend'].push(await wasmRun('simd', 'wasm'));
    wasm['simd module, scalar backend'].push(await wasmRun('simd', 'scalar'));
    wasm['scalar module'].push(await wasmRun('scalar', 'scalar'));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const nat = (k) => Math.min(...native.map((n) => n[k]).filter((v) => v !== undefined));
const f = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
console.log(`| build | rehash ns/entity | vs native avx2 | vs native scalar | batch motion ns/motion | vs native avx2 | vs native scalar |`);
console.log('|:--|--:|--:|--:|--:|--:|--:|');
for (const isa of ['avx2', 'scalar'])
  console.log(`| native ${isa} (C harness) | ${f(nat(`${isa}/rehash`))} | | | ${f(nat(`${isa}/batch`))} | | |`);
for (const [name, runs] of Object.entries(wasm)) {
  const rh = Math.min(...runs.map((r) => r.rehash)), b = Math.min(...runs.map((r) => r.batch));
  console.log(`| wasm32, ${name} (Node ${process.versions.node}) | ${f(rh)} | ${(rh / nat('avx2/rehash')).toFixed(2)}x | ` +
    `${(rh / nat('scalar/rehash')).toFixed(2)}x | ${f(b)} | ${(b / nat('avx2/batch')).toFixed(2)}x | ${(b / nat('scalar/batch')).toFixed(2)}x |`);
}
