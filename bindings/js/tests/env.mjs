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
};
