import { BactorError, CoreErrorCode } from '../errors.js';
import {
  DEFAULT_SLOTS,
  DEFAULT_SPILL_HALF,
  ENTRY_HEADER_BYTES,
  FREE,
  HALF_INDEX,
  IGNORED,
  LEDGER_MAGIC,
  LOC,
  MAGIC_INDEX,
  QUEUED,
  READ_INDEX,
  RUNNING,
  SEQ,
  SLOTS_INDEX,
  SLOT_TABLE_OFFSET,
  SLOT_WORDS,
  SOURCE,
  STATE,
  ledgerByteLength,
  spillOffset,
} from '../layout/taken-ledger-layout.js';
import type { RingConsumer } from '../ring/ring-consumer.js';

/** A ledger's buffer (main thread, once per worker; see taken-ledger-layout.ts). */
export function createLedgerBuffer(slots = DEFAULT_SLOTS, half = DEFAULT_SPILL_HALF): SharedArrayBuffer {
  if (!Number.isInteger(slots) || slots < 1 || !Number.isInteger(half) || half < 1024 || half % 8 !== 0)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `a ledger of ${slots} slots and ${half}-byte halves`);
  const sab = new SharedArrayBuffer(ledgerByteLength(slots, half));
  const i32 = new Int32Array(sab);
  i32[MAGIC_INDEX] = LEDGER_MAGIC;
  i32[SLOTS_INDEX] = slots;
  i32[HALF_INDEX] = half;
  return sab;
}

/** A message a dead thread had taken and not handled, copied out for its replacement. */
export interface TakenRecord {
  /** The participant whose ring it came from. */
  readonly source: number;
  readonly type: number;
  /** QUEUED (deliver it) or RUNNING (its handler was running: do not). */
  readonly state: number;
  /** The record's payload: its two header words, then its body (8-aligned in its buffer). */
  readonly payload: Uint8Array;
}

/**
 * A worker's ledger of the cross-thread messages it took off its rings into mailboxes and has
 * not handled yet, so that they outlive the thread (layout: taken-ledger-layout.ts).
 *
 * A message stays in its ring while it is taken: the rings are read in kept-until-released
 * mode and `endTurn` releases them once per loop turn, after copying into the spill the
 * records still queued — most are handled in the turn that read them, so most are never
 * copied. A slot follows each message: QUEUED when taken, RUNNING while its handler runs (and
 * its promise is pending), FREE once handled or dropped. With no slot or no spill room left a
 * message is taken unkept (IGNORED, counted in `unkept`): the worker never stops reading for it.
 *
 * `recover` is what a replacement thread calls first: it copies out what its predecessor had
 * taken and not handled, in the order taken, and moves the rings past what it had taken.
 */
export class TakenLedger {
  readonly i32: Int32Array;
  readonly bytes: Uint8Array;
  readonly slots: number;
  private readonly half: number;
  private readonly spill: number;
  /** Free slots, a stack (the hottest slots are reused: few pages of the table are touched). */
  private readonly free: Int32Array;
  private freeTop: number;
  private seq = 0;
  /** Slots taken since the last `endTurn`, their records still in the rings. */
  private turn = new Int32Array(1024);
  private turnLength = 0;
  private active = 0;
  private tail = 0;
  /** Rings by source participant (null: self, or not kept). */
  private rings: (RingConsumer | null)[] = [];
  /** Messages taken without being kept (no free slot or no spill room). */
  unkept = 0;
  /** The slot whose handler runs now (-1: none). */
  running = -1;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    if (this.i32[MAGIC_INDEX] !== LEDGER_MAGIC) throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, 'not a ledger buffer');
    this.slots = this.i32[SLOTS_INDEX]!;
    this.half = this.i32[HALF_INDEX]!;
    this.spill = spillOffset(this.slots);
    this.free = new Int32Array(this.slots);
    this.freeTop = 0;
  }

  /** Reads each ring in kept-until-released mode, with its READ word here. Call once, after `recover`. */
  attach(rings: readonly (RingConsumer | null)[]): void {
    this.rings = rings.slice();
    for (let p = 0; p < rings.length; p++) rings[p]?.keepUntilReleased(this.i32, READ_INDEX + p);
    // Every slot free, the lowest first (written only where not free: untouched pages stay unmapped).
    const i32 = this.i32;
    for (let s = 0; s < this.slots; s++) {
      const w = (SLOT_TABLE_OFFSET >> 2) + s * SLOT_WORDS + STATE;
      if (i32[w] !== FREE) i32[w] = FREE;
    }
    this.freeTop = 0;
    for (let s = this.slots - 1; s >= 0; s--) this.free[this.freeTop++] = s;
    this.active = 0;
    this.tail = 0;
  }

  /**
   * A record of `source`'s ring, its payload at byte `offset` of the ring's buffer, is being
   * taken: its slot, or -1 when there is no room to keep it.
   */
  take(source: number, offset: number): number {
    if (this.freeTop === 0) {
      this.unkept++;
      return -1;
    }
    const slot = this.free[--this.freeTop]!;
    const w = (SLOT_TABLE_OFFSET >> 2) + slot * SLOT_WORDS;
    const i32 = this.i32;
    i32[w + SOURCE] = source;
    i32[w + LOC] = -(offset + 1);
    i32[w + SEQ] = this.seq++ | 0;
    i32[w + STATE] = QUEUED;
    if (this.turnLength === this.turn.length) {
      const grown = new Int32Array(this.turn.length * 2);
      grown.set(this.turn);
      this.turn = grown;
    }
    this.turn[this.turnLength++] = slot;
    return slot;
  }

  /** Its handler starts. */
  run(slot: number): void {
    this.i32[(SLOT_TABLE_OFFSET >> 2) + slot * SLOT_WORDS + STATE] = RUNNING;
    this.running = slot;
  }

  /** Handled, dropped, or passed on: the slot is free. */
  done(slot: number): void {
    const w = (SLOT_TABLE_OFFSET >> 2) + slot * SLOT_WORDS;
    if (this.i32[w + STATE] === FREE) return;
    this.i32[w + STATE] = FREE;
    this.free[this.freeTop++] = slot;
    if (this.running === slot) this.running = -1;
  }

  /**
   * The loop turn ends: the records taken in it and still queued or running are copied into the
   * spill, then every ring is released up to what was read.
   */
  endTurn(): void {
    const n = this.turnLength;
    if (n > 0) {
      const turn = this.turn;
      const i32 = this.i32;
      for (let k = 0; k < n; k++) {
        const w = (SLOT_TABLE_OFFSET >> 2) + turn[k]! * SLOT_WORDS;
        const state = i32[w + STATE]!;
        if ((state === QUEUED || state === RUNNING) && i32[w + LOC]! < 0) this.spillSlot(turn[k]!, w);
      }
      this.turnLength = 0;
    }
    const rings = this.rings;
    for (let p = 0; p < rings.length; p++) rings[p]?.releaseRead();
  }

  /** Copies a slot's record from its ring into the spill (flipping halves if needed); IGNORED if it does not fit. */
  private spillSlot(slot: number, w: number): void {
    const i32 = this.i32;
    const source = i32[w + SOURCE]!;
    const ring = this.rings[source]!;
    const offset = -i32[w + LOC]! - 1;
    const length = ring.view.getInt32(offset - 8, true);
    const type = ring.view.getInt32(offset - 4, true);
    const size = ENTRY_HEADER_BYTES + ((length + 7) & ~7);
    if (this.tail + size > this.half) this.flip();
    if (this.tail + size > this.half) {
      i32[w + STATE] = IGNORED;
      this.unkept++;
      return;
    }
    const at = this.active * this.half + this.tail;
    this.writeEntry(at, slot, source, type, ring.bytes.subarray(offset, offset + length));
    // The copy is whole before the slot points at it (one word: recovery sees one or the other).
    i32[w + LOC] = at;
    this.tail += size;
  }

  /** Writes a spill entry at byte `at` of the spill area: its header, then the record's payload. */
  private writeEntry(at: number, slot: number, source: number, type: number, payload: Uint8Array): void {
    const e = (this.spill + at) >> 2;
    this.i32[e] = payload.length;
    this.i32[e + 1] = type;
    this.i32[e + 2] = slot;
    this.i32[e + 3] = source;
    this.bytes.set(payload, this.spill + at + ENTRY_HEADER_BYTES);
  }

  /** Moves the live entries of the active half to the other, in order; the other becomes active. */
  private flip(): void {
    const i32 = this.i32;
    const from = this.active * this.half;
    const to = (1 - this.active) * this.half;
    let t = 0;
    for (let p = 0; p < this.tail;) {
      const e = (this.spill + from + p) >> 2;
      const size = ENTRY_HEADER_BYTES + ((i32[e]! + 7) & ~7);
      const w = (SLOT_TABLE_OFFSET >> 2) + i32[e + 2]! * SLOT_WORDS;
      const state = i32[w + STATE]!;
      if ((state === QUEUED || state === RUNNING) && i32[w + LOC] === from + p) {
        this.bytes.copyWithin(this.spill + to + t, this.spill + from + p, this.spill + from + p + size);
        i32[w + LOC] = to + t;
        t += size;
      }
      p += size;
    }
    this.active = 1 - this.active;
    this.tail = t;
  }

  /**
   * A message this thread got from its predecessor's ledger (see `recover`) enters a mailbox
   * again: kept in the spill from the start. Its slot, or -1.
   */
  takeCopy(record: TakenRecord): number {
    if (this.freeTop === 0) {
      this.unkept++;
      return -1;
    }
    const length = record.payload.length;
    const size = ENTRY_HEADER_BYTES + ((length + 7) & ~7);
    if (this.tail + size > this.half) this.flip();
    if (this.tail + size > this.half) {
      this.unkept++;
      return -1;
    }
    const slot = this.free[--this.freeTop]!;
    const w = (SLOT_TABLE_OFFSET >> 2) + slot * SLOT_WORDS;
    const i32 = this.i32;
    const at = this.active * this.half + this.tail;
    this.writeEntry(at, slot, record.source, record.type, record.payload);
    this.tail += size;
    i32[w + SOURCE] = record.source;
    i32[w + LOC] = at;
    i32[w + SEQ] = this.seq++ | 0;
    i32[w + STATE] = QUEUED;
    return slot;
  }

  /**
   * A replacement's first step, before it reads a ring: copies out the messages the thread
   * before it had taken and not handled (QUEUED and RUNNING, in the order taken), moves each
   * ring to where that thread had read (what it took is not read again) and releases them.
   * Call with the rings by source participant; then `attach`.
   */
  recover(rings: readonly (RingConsumer | null)[]): TakenRecord[] {
    const i32 = this.i32;
    const live: { seq: number; record: TakenRecord }[] = [];
    // A record taken in here but not yet past READ (the thread died between the two) is read
    // again from the ring: not recovered here.
    const taken = (ring: RingConsumer, source: number, offset: number): boolean => {
      const mask = ring.capacity - 1;
      const head = ring.position;
      const at = (offset - ring.payloadOffset(0)) & mask;
      return ((at - (head & mask)) & mask) < (i32[READ_INDEX + source]! - head) >>> 0;
    };
    for (let s = 0; s < this.slots; s++) {
      const w = (SLOT_TABLE_OFFSET >> 2) + s * SLOT_WORDS;
      const state = i32[w + STATE]!;
      if (state !== QUEUED && state !== RUNNING) continue;
      const source = i32[w + SOURCE]!;
      const loc = i32[w + LOC]!;
      let type: number;
      let payload: Uint8Array;
      if (loc < 0) {
        const ring = rings[source];
        if (ring === null || ring === undefined) continue;
        const offset = -loc - 1;
        if (!taken(ring, source, offset)) continue;
        const length = ring.view.getInt32(offset - 8, true);
        type = ring.view.getInt32(offset - 4, true);
        payload = copy8(ring.bytes, offset, length);
      } else {
        const e = (this.spill + loc) >> 2;
        type = i32[e + 1]!;
        payload = copy8(this.bytes, this.spill + loc + ENTRY_HEADER_BYTES, i32[e]!);
      }
      live.push({ seq: i32[w + SEQ]!, record: { source, type, state, payload } });
    }
    if (live.length > 0) {
      const base = live[0]!.seq;
      live.sort((a, b) => ((a.seq - base) | 0) - ((b.seq - base) | 0));
    }
    for (let p = 0; p < rings.length; p++) {
      const ring = rings[p];
      if (ring === null || ring === undefined) continue;
      ring.skipTo(i32[READ_INDEX + p]! >>> 0);
      ring.releaseRead();
    }
    return live.map((l) => l.record);
  }
}

/** A copy of `bytes[offset, offset + length)` in a buffer of its own (8-aligned for the decoders' word reads). */
function copy8(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer((length + 7) & ~7), 0, length);
  out.set(bytes.subarray(offset, offset + length));
  return out;
}
