import { ActorRef } from '../actor/actor-ref.js';
import { describeMessageType } from '../util/message-type.js';
import type { RuntimeEvent } from './runtime-event.js';

/** Longest message preview a trace entry carries (characters). */
const PREVIEW_CHARS = 200;

/** Whether any actor of this thread is traced: the cells' only check while none is (one per message); off again once none is. */
export let tapsOn = false;

/** A message as a trace entry shows it: JSON (refs as their names), cut at PREVIEW_CHARS. */
function preview(message: unknown): string {
  let text: string;
  try {
    text =
      typeof message === 'string'
        ? JSON.stringify(message)
        : (JSON.stringify(message, (_k, v: unknown) =>
            typeof v === 'bigint'
              ? `${v}n`
              : v instanceof Uint8Array
                ? `<${v.byteLength} bytes>`
                : v instanceof ActorRef
                  ? String(v)
                  : v instanceof Map
                    ? Object.fromEntries(v)
                    : v instanceof Set
                      ? [...(v as Set<unknown>)]
                      : v,
          ) ?? String(message));
  } catch {
    text = `<${describeMessageType(message)}>`;
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/**
 * The tracing of one actor (`system.traceActor`): each message its handler takes, and each one
 * the handler sends while it runs, becomes an 'actor-trace' event, up to `remaining` entries.
 */
export class ActorTap {
  done = false;
  constructor(
    readonly tap: number,
    private readonly actor: ActorRef,
    private remaining: number,
    private readonly publish: (event: RuntimeEvent) => void,
  ) {}

  received(message: unknown, sender: ActorRef | null): void {
    this.entry('in', sender, message);
  }

  sent(target: ActorRef, message: unknown): void {
    this.entry('out', target, message);
  }

  /** The actor stopped: the trace's last event (no entry). */
  stopped(): void {
    if (this.done) return;
    this.done = true;
    const at = Date.now();
    this.publish({
      type: 'actor-trace',
      tap: this.tap,
      actor: String(this.actor),
      direction: 'stopped',
      peer: null,
      messageType: '',
      message: '',
      at,
      last: true,
    });
  }

  private entry(direction: 'in' | 'out', peer: ActorRef | null, message: unknown): void {
    if (this.done) return;
    const last = --this.remaining <= 0;
    if (last) this.done = true;
    this.publish({
      type: 'actor-trace',
      tap: this.tap,
      actor: String(this.actor),
      direction,
      peer: peer === null ? null : String(peer),
      messageType: describeMessageType(message),
      message: preview(message),
      at: Date.now(),
      last,
    });
  }
}

/** What the taps need of a cell: its ref and the slot its tap lives in. */
export interface Tappable {
  readonly self: ActorRef;
  tap: ActorTap | null;
}

/** The taps of one thread's actors, by tap id: started and stopped by control requests (or calls on the main thread). */
export class ActorTaps {
  private readonly byTap = new Map<number, Tappable>();

  constructor(private readonly publish: (event: RuntimeEvent) => void) {}

  /** Traces `cell` under `tap` for `max` entries; 'traced' if it has a running tap already. */
  start(cell: Tappable, tap: number, max: number): 'ok' | 'traced' {
    if (cell.tap !== null && !cell.tap.done) return 'traced';
    cell.tap = new ActorTap(tap, cell.self, max, this.publish);
    this.byTap.set(tap, cell);
    tapsOn = true;
    return 'ok';
  }

  /** A cell leaves this thread (stopped, or moved): its trace ends. */
  removed(cell: Tappable): void {
    const tap = cell.tap;
    if (tap === null) return;
    this.byTap.delete(tap.tap);
    tap.stopped();
    cell.tap = null;
    if (this.byTap.size === 0) tapsOn = false;
  }

  /** Ends tap `tap` (nothing if it ended). */
  stop(tap: number): void {
    const cell = this.byTap.get(tap);
    if (cell === undefined) return;
    this.byTap.delete(tap);
    if (cell.tap !== null) cell.tap.done = true;
    cell.tap = null;
    if (this.byTap.size === 0) tapsOn = false;
  }
}
