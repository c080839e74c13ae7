// SPDX-License-Identifier: MIT
// TypeScript declarations of the synk package (synk.js).

/** True if this engine implements WebAssembly SIMD128. */
export function hasSimd128(): boolean;

export interface LoadOptions {
  /** 'auto' (default): 'simd' when hasSimd128(), else 'scalar'. */
  variant?: 'auto' | 'simd' | 'scalar';
  /** Where the .wasm file is (default: next to synk.js). */
  url?: string | URL;
}

/** Load the WebAssembly module (its own memory) and return the API bound to it. */
export function loadSynk(options?: LoadOptions): Promise<Synk>;

export declare const Status: Readonly<{
  OK: 0; E_ARG: 1; E_RANGE: 2; E_EXISTS: 3; E_DEAD: 4; E_NOMEM: 5; E_ISA: 6; E_FORMAT: 7;
  E_MISMATCH: 8; E_SPACE: 9;
}>;
export declare const Event: Readonly<{ SPAWN: 1; DESPAWN: 2; MOTION: 3; PROP: 4; TICK: 5 }>;

/** A failed synk call. */
export declare class SynkError extends Error {
  /** The status name: 'SYNK_E_DEAD', ... */
  status: string;
  /** The status code (synk_status). */
  code: number;
  /** Batch calls: the first failing motion or event. */
  index?: number;
  /** Stream calls: the failing event and its record's byte offset. */
  badEvent?: number;
  badOffset?: number;
}

export interface Entity { id: number; kind: number; x: number; y: number; z: number; props: number[] }
export interface Config { maxEntities: number; numProps: number; seed: bigint }
export interface StreamInfo { pos: number; events: number; end: boolean }
export interface SnapshotHeader {
  maxEntities: number; numProps: number; seed: bigint; frame: bigint; count: bigint; hash: bigint; size: number;
}

/** Bytes input: a Uint8Array (read in place when it lives in the module's memory). */
type Bytes = Uint8Array;
/** Records of 32-bit words: 4 per motion (id, dx, dy, dz), 6 per event (type, id, arg, a, b, c). */
type Words = Int32Array | Uint32Array;

export declare class World {
  /** synk_world_create. seed is a 64-bit key (BigInt or Number). */
  constructor(maxEntities: number, numProps?: number, seed?: bigint | number);
  static fromSnapshot(data: Bytes, maxEntities: number, numProps?: number, seed?: bigint | number): World;
  readonly capacity: number;
  readonly numProps: number;
  destroy(): void;
  spawn(id: number, kind: number, x: number, y: number, z: number): void;
  despawn(id: number): void;
  move(id: number, dx: number, dy: number, dz: number): void;
  setProp(id: number, slot: number, value: number): void;
  tick(): void;
  get(id: number): Entity;
  count(): number;
  frame(): bigint;
  hash(): bigint;
  rehash(): bigint;
  entityHash(id: number): bigint;
  chunkHashes(): BigUint64Array;
  config(): Config;
  /** Zero-copy views into wasm memory, indexed by id (re-read after calls that allocate). */
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly z: Int32Array;
  readonly kind: Uint32Array;
  readonly alive: BigUint64Array;
  readonly props: Int32Array[];
  /** n motions' worth of Int32Array inside wasm memory (applyMotions reads it in place). */
  motionBuffer(n: number): Int32Array;
  freeBuffer(buf: Int32Array): void;
  applyMotions(motions: Words): void;
  eventsApply(events: Words): void;
  streamApply(data: Bytes, pos?: number, maxTicks?: bigint | number): StreamInfo;
  snapshot(): Uint8Array;
  snapshotSize(): number;
  deltaTo(target: World): Uint8Array;
  deltaApply(data: Bytes): void;
  ring(slots: number): Ring;
}

export declare class Ring {
  readonly world: World;
  save(): void;
  has(frame: bigint | number): boolean;
  restore(frame: bigint | number): void;
  since(frame: bigint | number): { bytes: Uint8Array; isSnapshot: boolean };
  destroy(): void;
}

export declare class StreamWriter {
  constructor();
  write(events: Words, final?: boolean): Uint8Array;
  readonly bytes: number;
  readonly finished: boolean;
  free(): void;
}

export interface Synk {
  /** Which module was loaded. */
  readonly variant: 'simd' | 'scalar';
  readonly World: typeof World;
  readonly Ring: typeof Ring;
  readonly StreamWriter: typeof StreamWriter;
  readonly SynkError: typeof SynkError;
  readonly Status: typeof Status;
  readonly Event: typeof Event;
  /** The module's linear memory (every view is over memory.buffer). */
  readonly memory: WebAssembly.Memory;
  streamEncode(events: Words): Uint8Array;
  streamDecode(data: Bytes): Int32Array;
  eventsCoalesce(events: Words): Int32Array;
  snapshotInspect(data: Bytes): SnapshotHeader;
  streamBound(n: number): number;
  isa(): string;
  useIsa(name: string): void;
  isaList(): string[];
  cpuFeatures(): string[];
  version(): string;
  statusStr(code: number): string;
  crc32c(data: Bytes, crc?: number): number;
}
