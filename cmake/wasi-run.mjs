// SPDX-License-Identifier: MIT
// Run a wasm32-wasi program under Node.js's built-in WASI, the way a native
// program runs: `node --no-warnings wasi-run.mjs prog.wasm args...`.
// Arguments, environment (SYNK_ISA, ...) and stdio are passed through; the
// exit code is the program's (a trap exits 134, like an abort). Used as
// CMAKE_CROSSCOMPILING_EMULATOR by cmake/wasm32-wasi.cmake.
import { WASI } from 'node:wasi';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node wasi-run.mjs prog.wasm [args...]');
  process.exit(2);
}
// The host file system is visible at the same absolute paths ("/" is
// preopened as "/"). WASI has no working directory: wasi-libc resolves a
// relative path against its own cwd, "/", so programs run here should be
// given absolute paths (ctest's are). A "." preopen does not help: wasi-libc
// then resolves absolute paths against it too.
const wasi = new WASI({
  version: 'preview1',
  args: [basename(file), ...args],
  env: process.env,
  preopens: { '/': '/' },
  returnOnExit: true,
});
// Node's WASI functions are V8 "fast API calls" when wasm calls them directly;
// that path can crash node with SIGSEGV (nodejs/node#46777, #53087: a fast
// call may run a GC and touch a moved memory). A plain JS function in
// between keeps the call on the regular path; a syscall costs slightly more.
const wasiImport = {};
for (const [name, fn] of Object.entries(wasi.wasiImport)) {
  wasiImport[name] = typeof fn === 'function' ? (...a) => fn(...a) : fn;
}
const imports = { wasi_snapshot_preview1: wasiImport };
try {
  const module = await WebAssembly.compile(await readFile(file));
  const instance = await WebAssembly.instantiate(module, imports);
  process.exitCode = wasi.start(instance);
} catch (e) {
  console.error(`wasi-run: ${file}: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 134;
}
