// SPDX-License-Identifier: MIT
// A small static server for the browser example, on 127.0.0.1 only.
//
//   node examples/web/serve.mjs BUILD_DIR [PORT]    (then open the URL it prints)
//
// Serves examples/web/ at /, the built package (BUILD_DIR/js/synk) at
// /node_modules/synk/ (where npm would install it), and for ?golden=1 the
// golden scenarios' traces (BUILD_DIR/traces), support/golden.h and the
// trace replayer (bindings/js/tests/replay.mjs). tests/web imports start().
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.h': 'text/plain', '.trace': 'application/octet-stream', '.ts': 'text/plain' };

/** Start serving; resolves to {url, close()}. */
export function start(buildDir, port = 0) {
  const mounts = [ // url prefix -> directory
    ['/node_modules/synk/', join(resolve(buildDir), 'js/synk')],
    ['/traces/', join(resolve(buildDir), 'traces')],
    ['/', here],
  ];
  const files = { '/golden.h': join(root, 'support/golden.h'), '/replay.mjs': join(root, 'bindings/js/tests/replay.mjs') };
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = files[path];
    if (!file) {
      const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
      file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
      if (!file.startsWith(dir + sep) && file !== dir) file = null; // no way out of the mounts
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] || 'application/octet-stream',
        'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(port, '127.0.0.1', () => ok({
      url: `http://127.0.0.1:${server.address().port}/`,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error('usage: node examples/web/serve.mjs BUILD_DIR [PORT]');
    process.exit(2);
  }
  const { url } = await start(process.argv[2], Number(process.argv[3] || 8000));
  console.log(`serving the synk browser example at ${url} (and ${url}?golden=1)`);
}
