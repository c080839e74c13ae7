// SPDX-License-Identifier: MIT
// The browser example in a real browser: Debian's headless Chromium opens
// examples/web/index.html from a static server on 127.0.0.1 (serve.mjs,
// started and stopped here), through playwright-core (pinned in
// package-lock.json, installed with `npm ci` into the build directory; it
// never downloads a browser). For each module (SIMD128 and scalar) the page's
// two peers must agree after every tick and every golden scenario replayed
// in the browser must end on the native hash of support/golden.h.
// Screenshots: <build>/web/screenshot-<variant>.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const build = process.env.SYNK_BUILD_DIR;
const chromiumPath = process.env.SYNK_CHROMIUM || '/usr/bin/chromium';
const work = join(build, 'web');
const { parseGolden } = await import('../../bindings/js/tests/replay.mjs');
const { start } = await import('../../examples/web/serve.mjs');
const golden = parseGolden(readFileSync(join(here, '../../support/golden.h'), 'utf8'));

let server, browser;
before(async () => {
  mkdirSync(work, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(here, f), join(work, f));
  execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: work, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  const { chromium } = createRequire(join(work, 'package.json'))('playwright-core');
  assert.ok(existsSync(chromiumPath), `no ${chromiumPath} (Debian package chromium)`);
  server = await start(build);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const crowdHash = {};
for (const variant of ['simd', 'scalar']) {
  test(`index.html in Chromium, ${variant} module: peers agree, golden hashes equal native`, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${server.url}?golden=1&variant=${variant}`);
    await page.waitForFunction(() => window.synkResult || window.synkError, null, { timeout: 120000 });
    const { result, error } = await page.evaluate(() => ({ result: window.synkResult, error: window.synkError }));
    await page.screenshot({ path: join(work, `screenshot-${variant}.png`), fullPage: true });
    await page.close();
    assert.equal(error, undefined);
    assert.deepEqual(problems, []);
    assert.equal(result.variant, variant);
    assert.equal(result.isa, variant === 'simd' ? 'wasm' : 'scalar');
    assert.equal(result.crowd.equal, true, JSON.stringify(result.crowd));
    assert.equal(result.crowd.agreed, result.crowd.ticks);
    assert.ok(result.crowd.count > 1000);
    crowdHash[variant] = result.crowd.hashA;
    const isas = variant === 'simd' ? ['wasm', 'scalar'] : ['scalar'];
    assert.equal(Object.keys(result.golden).length, isas.length * Object.keys(golden).length);
    for (const isa of isas)
      for (const [name, want] of Object.entries(golden))
        assert.equal(result.golden[`${isa}/${name}`], want.toString(16).padStart(16, '0'), `${isa}/${name}`);
  });
}

test('the crowd ends on the same hash in both modules', () => {
  assert.equal(Object.keys(crowdHash).length, 2);
  assert.equal(crowdHash.simd, crowdHash.scalar);
});
