// SPDX-License-Identifier: MIT
// Two peers, the same events, the same hash; views, errors, a stream and a snapshot.
import { loadSynk } from 'synk';

const synk = await loadSynk();                  // the SIMD128 module where the engine has it
const a = new synk.World(1024, 2, 0x5EEDn);     // peer A
const b = new synk.World(1024, 2, 0x5EEDn);     // peer B: same config
const E = synk.Event;
const events = new Int32Array([                 // 6 words per event: type, id, arg, a, b, c
  E.SPAWN, 7, 2, 100, -50, 0,
  E.MOTION, 7, 0, 1, 0, 0,
  E.MOTION, 7, 0, 0, 0, -9,
  E.PROP, 7, 0, 250, 0, 0,
  E.TICK, 0, 1, 0, 0, 0,
]);
a.eventsApply(events);                          // A: the events as calls
b.streamApply(synk.streamEncode(events));       // B: the same events as stream bytes
if (a.hash() !== b.hash() || a.hash() !== a.rehash()) throw new Error('desync');

const x = a.x;                                  // Int32Array over wasm memory: no copy
a.move(7, 5, 0, 0);
if (x[7] !== 106) throw new Error('the view does not follow the world');
try {
  a.move(8, 1, 1, 1);                           // id 8 is not alive
} catch (e) {
  console.log(e.status, e.code);                // SYNK_E_DEAD 4
}
const late = synk.World.fromSnapshot(a.snapshot(), 1024, 2, 0x5EEDn);  // a late joiner
if (late.hash() !== a.hash()) throw new Error('snapshot');
console.log(synk.variant, synk.isa(), a.hash().toString(16).padStart(16, '0'));
