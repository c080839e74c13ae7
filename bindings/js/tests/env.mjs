// SPDX-License-Identifier: MIT
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Paths the tests get from ctest (tests/bindings.cmake sets them).
const need = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run the tests through ctest)`);
  return v;
};
export const env = {
  get packageDir() { return need('SYNK_JS_PACKAGE'); },
  get packageEntry() { return new URL(`file://${need('SYNK_JS_PACKAGE')}/synk.js`).href; },
  get traces() { return need('SYNK_TRACE_DIR'); },
  get golden() { return need('SYNK_GOLDEN_H'); },
  get sourceDir() { return need('SYNK_SOURCE_DIR'); },
};

/** The SYNK_API function names of every public header (<dir>/include/synk*.h). */
export function publicApi(sourceDir) {
  const names = [];
  for (const d of readdirSync(sourceDir, { withFileTypes: true })) {
    const inc = join(sourceDir, d.name, 'include');
    if (!d.isDirectory() || !existsSync(inc)) continue;
    for (const f of readdirSync(inc).filter((f) => /^synk.*\.h$/.test(f)))
      for (const m of readFileSync(join(inc, f), 'utf8').matchAll(/^SYNK_API [^(]*?(\w+)\(/gm)) names.push(m[1]);
  }
  return names;
}
