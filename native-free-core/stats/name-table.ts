/**
 * An append-only table of names in shared memory, one writer, any number of readers: each entry
 * is a length word then the name's UTF-16 units; a 0 length word ends the table. The writer
 * appends a name the first time it is given one and stores the length word last (Atomics.store),
 * so a reader that sees the length sees the units before it. A new writer over a table an earlier
 * one wrote (a replacement worker) continues after its entries.
 *
 * A name is known by its code (the unit offset after its length word, for the stats block's
 * CURRENT word) and by its ordinal (1 for the first name, 2 for the next: the metrics block's kind
 * slots).
 */
export class NameTable {
  private used = 0;
  private count = 0;
  private readonly codes = new Map<string, number>();
  private readonly ordinals = new Map<string, number>();

  constructor(
    private readonly units: Uint16Array,
    /** Longest name kept (UTF-16 units); longer ones are cut. */
    private readonly maxUnits: number,
    /** Names the table takes at most (its room in units also bounds it). */
    private readonly maxNames = Infinity,
  ) {
    while (this.used < units.length && units[this.used]! !== 0) {
      const length = units[this.used]!;
      const start = this.used + 1;
      this.remember(String.fromCharCode(...units.subarray(start, start + length)), start);
      this.used = start + length;
    }
  }

  /** The code of `name` (appended if new), or 0 when the table is full. */
  code(name: string): number {
    return this.codes.get(name) ?? this.append(name);
  }

  /** The ordinal of `name` (appended if new: 1, 2, …), or 0 when the table is full. */
  ordinal(name: string): number {
    const known = this.ordinals.get(name);
    if (known !== undefined) return known;
    return this.append(name) === 0 ? 0 : this.count;
  }

  /** The name behind `code`, or null if no name starts there (walks the table: for rare reads). */
  name(code: number): string | null {
    if (!Number.isInteger(code) || code < 1) return null;
    let at = 0;
    while (at < this.units.length) {
      const length = Atomics.load(this.units, at);
      if (length === 0 || at + 1 + length > this.units.length) return null;
      if (at + 1 === code) return String.fromCharCode(...this.units.subarray(code, code + length));
      at += 1 + length;
    }
    return null;
  }

  /** Every name written so far, in ordinal order (any thread; walks the table). */
  names(): string[] {
    const out: string[] = [];
    let at = 0;
    while (at < this.units.length) {
      const length = Atomics.load(this.units, at);
      if (length === 0 || at + 1 + length > this.units.length) break;
      out.push(String.fromCharCode(...this.units.subarray(at + 1, at + 1 + length)));
      at += 1 + length;
    }
    return out;
  }

  private append(name: string): number {
    const length = Math.min(name.length, this.maxUnits);
    if (length === 0 || this.count >= this.maxNames || this.used + 1 + length > this.units.length) return 0;
    const at = this.used;
    for (let i = 0; i < length; i++) this.units[at + 1 + i] = name.charCodeAt(i);
    // The length word last: a reader that sees it sees the units before it.
    Atomics.store(this.units, at, length);
    this.used = at + 1 + length;
    this.remember(name, at + 1);
    return at + 1;
  }

  private remember(name: string, code: number): void {
    this.codes.set(name, code);
    this.ordinals.set(name, ++this.count);
  }
}
