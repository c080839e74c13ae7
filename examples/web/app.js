// SPDX-License-Identifier: MIT
// The browser example (index.html): a server-side event generator writes
// one event stream, tick by tick; peer A applies each piece of the stream as
// it arrives, peer B applies the same events as calls; both show
// their world hash, which must be equal after every tick. The canvas draws
// the crowd straight from A's zero-copy column views. With ?golden=1 the
// page also replays the golden scenarios (the C library's call traces) and
// compares their hashes with support/golden.h. ?variant=scalar loads
// the scalar module. Results: window.synkResult (read by tests/web).
import { loadSynk } from 'synk';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const hex = (h) => h.toString(16).padStart(16, '0');

// ---- the crowd: integer state only (positions in 1/64 px fixed point)
const N = 1500, TICKS = 90, W = 640 * 64, H = 360 * 64;
let rng = 0x2545F491;
const next = () => { // xorshift32: the generator's randomness, not world state
  rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
  return rng >>> 0;
};
const below = (n) => next() % n;

function crowdTick(synk, t, alive, pos) {
  const ev = [];
  const E = synk.Event;
  if (t === 0) {
    for (let id = 0; id < N; id++) {
      const x = below(W), y = below(H);
      ev.push([E.SPAWN, id, id % 4, x, y, 0], [E.PROP, id, 0, below(360), 0, 0]);
      alive[id] = 1;
      pos[2 * id] = x;
      pos[2 * id + 1] = y;
    }
  } else {
    const cx = W / 2 + ((t * 97) % 2000) * 4 - 4000, cy = H / 2;
    for (let id = 0; id < N; id++) { // drift toward a moving centre (1/128 of the way), plus noise
      if (!alive[id]) continue;
      const dx = ((cx - pos[2 * id]) >> 7) + below(321) - 160;
      const dy = ((cy - pos[2 * id + 1]) >> 7) + below(321) - 160;
      ev.push([E.MOTION, id, 0, dx, dy, 0]);
      pos[2 * id] += dx;
      pos[2 * id + 1] += dy;
    }
    for (let k = 0; k < 5; k++) { // churn: some leave, some come back
      const id = below(N);
      if (alive[id]) {
        ev.push([E.DESPAWN, id, 0, 0, 0, 0]);
        alive[id] = 0;
      } else {
        const x = below(W), y = below(H);
        ev.push([E.SPAWN, id, id % 4, x, y, 0]);
        alive[id] = 1;
        pos[2 * id] = x;
        pos[2 * id + 1] = y;
      }
    }
  }
  ev.push([E.TICK, 0, 1, 0, 0, 0]);
  return new Int32Array(ev.flat());
}

function draw(world) {
  const ctx = $('crowd').getContext('2d');
  ctx.fillStyle = '#10141c';
  ctx.fillRect(0, 0, 640, 360);
  const x = world.x, y = world.y, kind = world.kind, alive = world.alive, hue = world.props[0];
  const colours = ['#4fc3f7', '#ffb74d', '#aed581', '#f06292'];
  for (let id = 0; id < world.capacity; id++) {
    if (!((alive[id >> 6] >> BigInt(id & 63)) & 1n)) continue;
    ctx.fillStyle = colours[kind[id] % 4];
    ctx.globalAlpha = 0.5 + (hue[id] % 50) / 100;
    ctx.fillRect(x[id] / 64 - 1.5, y[id] / 64 - 1.5, 3, 3);
  }
  ctx.globalAlpha = 1;
}

async function crowd(synk) {
  const seed = 0xC0FFEEn;
  const a = new synk.World(2048, 1, seed), b = new synk.World(2048, 1, seed);
  const writer = new synk.StreamWriter();
  const alive = new Uint8Array(N), pos = new Int32Array(2 * N);
  let stream = new Uint8Array(0), pos_ = 0, agreed = 0;
  let events = 0;
  for (let t = 0; t < TICKS; t++) {
    const ev = crowdTick(synk, t, alive, pos);
    events += ev.length / 6;
    const piece = writer.write(ev, t === TICKS - 1); // the server's next piece of its stream
    const grown = new Uint8Array(stream.length + piece.length); // A's receive buffer
    grown.set(stream);
    grown.set(piece, stream.length);
    stream = grown;
    pos_ = a.streamApply(stream, pos_, 2n ** 64n - 1n).pos; // A: the bytes, as they arrive
    b.eventsApply(ev); // B: the same events, as calls
    if (a.hash() === b.hash() && a.hash() === a.rehash()) agreed++;
    $('fa').textContent = a.frame(); $('fb').textContent = b.frame();
    $('ha').textContent = hex(a.hash()); $('hb').textContent = hex(b.hash());
    draw(a);
    await new Promise(requestAnimationFrame);
  }
  const decoded = synk.streamDecode(stream).length / 6; // the whole stream, every check verified
  const equal = a.hash() === b.hash() && agreed === TICKS && decoded === events;
  $('agree').innerHTML = equal ? `<span class="ok">equal after every one of ${TICKS} ticks</span>`
    : `<span class="bad">DIFFERENT (${agreed}/${TICKS} ticks agreed)</span>`;
  const out = { ticks: TICKS, agreed, equal, hashA: hex(a.hash()), hashB: hex(b.hash()), count: a.count(),
    events, streamBytes: stream.length };
  a.destroy(); b.destroy(); writer.free();
  return out;
}

async function golden(synk) {
  const { parseGolden, replay } = await import('./replay.mjs');
  const want = parseGolden(await (await fetch('./golden.h')).text());
  const rows = [], got = {};
  for (const isa of synk.isaList()) {
    synk.useIsa(isa);
    for (const [name, h] of Object.entries(want)) {
      const bytes = await (await fetch(`./traces/${name}.trace`)).arrayBuffer();
      const { hash } = replay(synk, bytes);
      got[`${isa}/${name}`] = hex(hash);
      rows.push(`<tr><td>${isa}</td><td>${name}</td><td>${hex(hash)}</td><td class="${hash === h ? 'ok' : 'bad'}">` +
        `${hash === h ? '= golden' : 'golden ' + hex(h)}</td></tr>`);
    }
  }
  synk.useIsa('auto');
  $('golden').innerHTML = '<tr><th>backend</th><th>golden scenario</th><th>hash in this browser</th><th></th></tr>' +
    rows.join('');
  return got;
}

try {
  const synk = await loadSynk({ variant: params.get('variant') || 'auto' });
  $('status').textContent = `synk ${synk.version()}: ${synk.variant} module, ${synk.isa()} backend`;
  const result = { variant: synk.variant, isa: synk.isa(), crowd: await crowd(synk) };
  if (params.get('golden')) result.golden = await golden(synk);
  $('result').textContent = JSON.stringify(result);
  window.synkResult = result;
} catch (e) {
  $('status').innerHTML = `<span class="bad">${e}</span>`;
  window.synkError = String(e && e.stack || e);
}
