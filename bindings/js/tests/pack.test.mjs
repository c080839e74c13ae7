// SPDX-License-Identifier: MIT
// `npm pack` of the package gives a tarball that installs into an empty
// project with no network (npm install --offline) and works from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { env } from './env.mjs';

test('npm pack, then install offline into an empty project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synk-pack-'));
  try {
    const npm = (args, cwd) => execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd, env: { ...process.env, npm_config_cache: join(dir, 'cache') } }).toString();
    const [info] = JSON.parse(npm(['pack', env.packageDir, '--json', '--pack-destination', dir], dir));
    assert.equal(info.name, 'synk');
    assert.equal(JSON.parse(execFileSync('cat', [join(env.packageDir, 'package.json')]).toString()).license, 'MIT');
    assert.deepEqual(info.files.map((f) => f.path).sort(),
      ['LICENSE', 'README.md', 'package.json', 'synk-scalar.wasm', 'synk-simd.wasm', 'synk.d.ts', 'synk.js']);
    const app = join(dir, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    npm(['install', join(dir, info.filename)], app);
    writeFileSync(join(app, 'main.js'), `
      import { loadSynk } from 'synk';
      for (const variant of ['simd', 'scalar']) {
        const synk = await loadSynk({ variant });
        const w = new synk.World(64, 1, 7n);
        w.spawn(3, 1, 10, 20, 30);
        w.applyMotions(new Int32Array([3, 1, 1, 1]));
        console.log(variant, synk.isa(), w.x[3], w.hash() === w.rehash(), w.hash().toString(16));
      }`);
    const out = execFileSync(process.execPath, ['main.js'], { cwd: app }).toString().trim().split('\n');
    assert.equal(out.length, 2);
    assert.match(out[0], /^simd wasm 11 true [0-9a-f]+$/);
    assert.match(out[1], /^scalar scalar 11 true [0-9a-f]+$/);
    assert.equal(out[0].split(' ')[4], out[1].split(' ')[4]); // same hash from both modules
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
