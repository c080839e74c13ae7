// SPDX-License-Identifier: MIT
// Shared by the JavaScript tests and the browser example: the golden hashes
// of support/golden.h and the replay of the C library's call traces
// (format: tests/bindings/scenario_trace.c) through a loaded synk API.

/** {scenario: BigInt hash} parsed from the text of golden.h. */
export function parseGolden(text) {
  const out = {};
  for (const m of text.matchAll(/\{"(\w+)", UINT64_C\(0x([0-9a-f]+)\)\}/g)) out[m[1]] = BigInt('0x' + m[2]);
  if (Object.keys(out).length < 15) throw new Error('golden.h: too few vectors parsed');
  return out;
}

const [CREATE, DESTROY, SPAWN, DESPAWN, MOVE, PROP, TICK, MOTIONS, REHASH, GET, END] =
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/**
 * Replay a trace (an ArrayBuffer or Uint8Array of little-endian words)
 * through synk, checking every status, entity and rehash C recorded. Returns
 * {hash: the bindings' final hash, cHash: C's}. Throws on the first
 * difference, naming the record.
 */
export function replay(synk, bytes) {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const aligned = buf.byteOffset % 4 ? buf.slice() : buf;
  const u = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  const s = new Int32Array(u.buffer, u.byteOffset, u.length);
  const worlds = [null, null, null, null];
  let last = 0n;
  const big = (i) => BigInt(u[i]) | (BigInt(u[i + 1]) << 32n);
  const expect = (status, what, fn) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof synk.SynkError)) throw e;
      if (e.code !== status) throw new Error(`${what}: ${e.status}, C returned ${synk.statusStr(status)}`);
      if (e.status !== synk.statusStr(status) || !e.message.startsWith(e.status)) throw new Error(`${what}: bad error ${e}`);
      return e;
    }
    if (status !== 0) throw new Error(`${what}: succeeded, C returned ${synk.statusStr(status)}`);
    return null;
  };
  for (let i = 0; ;) {
    const op = u[i], w = worlds[u[i + 1]];
    const at = `record ${op} at word ${i}`;
    switch (op) {
      case CREATE:
        worlds[u[i + 1]] = new synk.World(u[i + 2], u[i + 3], big(i + 4));
        i += 7;
        break;
      case DESTROY:
        last = w.hash();
        w.destroy();
        worlds[u[i + 1]] = null;
        i += 2;
        break;
      case SPAWN:
        expect(u[i + 7], at, () => w.spawn(u[i + 2], u[i + 3], s[i + 4], s[i + 5], s[i + 6]));
        i += 8;
        break;
      case DESPAWN:
        expect(u[i + 3], at, () => w.despawn(u[i + 2]));
        i += 4;
        break;
      case MOVE:
        expect(u[i + 6], at, () => w.move(u[i + 2], s[i + 3], s[i + 4], s[i + 5]));
        i += 7;
        break;
      case PROP:
        expect(u[i + 5], at, () => w.setProp(u[i + 2], u[i + 3], s[i + 4]));
        i += 6;
        break;
      case TICK:
        w.tick();
        i += 2;
        break;
      case MOTIONS: {
        const n = u[i + 2];
        const e = expect(u[i + 3], at, () => w.applyMotions(s.subarray(i + 5, i + 5 + 4 * n)));
        if (e && e.index !== u[i + 4]) throw new Error(`${at}: bad index ${e.index}, C said ${u[i + 4]}`);
        i += 5 + 4 * n;
        break;
      }
      case REHASH: {
        const h = big(i + 2);
        if (w.rehash() !== h || w.hash() !== h) throw new Error(`${at}: hash ${w.hash().toString(16)} != C ${h.toString(16)}`);
        i += 4;
        break;
      }
      case GET: {
        const status = u[i + 3];
        if (status === 0) {
          const e = w.get(u[i + 2]);
          const want = [u[i + 4], u[i + 5], s[i + 6], s[i + 7], s[i + 8], ...s.subarray(i + 9, i + 9 + w.numProps)];
          const got = [e.id, e.kind, e.x, e.y, e.z, ...e.props];
          if (want.join() !== got.join()) throw new Error(`${at}: entity ${got} != C ${want}`);
        } else {
          expect(status, at, () => w.get(u[i + 2]));
        }
        i += 25;
        break;
      }
      case END:
        return { hash: last, cHash: big(i + 1) };
      default:
        throw new Error(`bad opcode ${op} at word ${i}`);
    }
  }
}
