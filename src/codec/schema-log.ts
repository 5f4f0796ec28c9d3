import { AppendLogReader, AppendLogWriter } from '../../native-free-core/log/append-log.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type ShapeReader, createShapeReader } from './shape-reader.js';
import { MAX_SHAPES, SCHEMA_SHAPE, SCHEMA_STRUCTURE } from './wire-format.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A node of the shape trie: the path from the root spells a key list. */
export class ShapeNode {
  /** Shape id once registered in the log, else -1. */
  id = -1;
  readonly keys: readonly string[];
  private children: Map<string, ShapeNode> | null = null;
  /** One-entry cache: most objects of a kind have the same next key. */
  private lastKey: string | undefined = undefined;
  private lastChild: ShapeNode | null = null;

  constructor(keys: readonly string[]) {
    this.keys = keys;
  }

  child(key: string): ShapeNode {
    if (this.lastKey === key) return this.lastChild!;
    let next = this.children?.get(key);
    if (next === undefined) {
      next = new ShapeNode([...this.keys, key]);
      (this.children ??= new Map()).set(key, next);
    }
    this.lastKey = key;
    this.lastChild = next;
    return next;
  }
}

function encodeEntry(kind: number, keys: readonly string[]): Uint8Array {
  const json = utf8Encoder.encode(JSON.stringify(keys));
  const entry = new Uint8Array(json.length + 1);
  entry[0] = kind;
  entry.set(json, 1);
  return entry;
}

/**
 * Returns `keys` as internalized strings (the ones V8 uses as property names), so storing them
 * as properties needs no string-table lookup per message.
 */
function internalize(keys: readonly string[]): string[] {
  const holder = Object.create(null) as Record<string, number>; // no inherited __proto__ setter
  for (const key of keys) holder[key] = 0;
  const names = Object.keys(holder);
  // Object.keys lists integer-like keys first; map each key to its internalized twin by name.
  return keys.map((key) => names.find((name) => name === key)!);
}

function decodeEntry(entry: Uint8Array): { kind: number; keys: string[] } {
  return { kind: entry[0]!, keys: internalize(JSON.parse(utf8Decoder.decode(entry.subarray(1))) as string[]) };
}

/**
 * The producer's side of a ring's schema log: it registers fast-path shapes and msgpackr record
 * structures before the first record that uses them is committed, so the consumer (or a consumer
 * that replaces it) always finds them. A producer that replaces a dead one reloads what is there.
 */
export class SchemaWriter {
  readonly root = new ShapeNode([]);
  /** msgpackr structures already in the log, in id order. */
  readonly structures: string[][] = [];
  private shapeCount = 0;
  private readonly writer: AppendLogWriter;

  constructor(log: SharedArrayBuffer) {
    this.writer = new AppendLogWriter(log);
    const reader = new AppendLogReader(log);
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      const { kind, keys } = decodeEntry(entry);
      if (kind === SCHEMA_SHAPE) {
        let node = this.root;
        for (const key of keys) node = node.child(key);
        node.id = this.shapeCount++;
      } else {
        this.structures.push(keys);
      }
    }
  }

  /** Gives `node` an id, writing its key list to the log. False when no more shapes fit. */
  registerShape(node: ShapeNode): boolean {
    if (this.shapeCount >= MAX_SHAPES) return false;
    if (this.writer.tryAppend(encodeEntry(SCHEMA_SHAPE, node.keys)) < 0) return false;
    node.id = this.shapeCount++;
    return true;
  }

  /** Appends the structures msgpackr minted since the last call. False when the log is full. */
  saveStructures(all: readonly (readonly string[] | undefined)[]): boolean {
    for (let i = this.structures.length; i < all.length; i++) {
      const keys = all[i];
      if (keys === undefined) return false;
      if (this.writer.tryAppend(encodeEntry(SCHEMA_STRUCTURE, keys)) < 0) return false;
      this.structures.push([...keys]);
    }
    return true;
  }
}

/** The consumer's side of a ring's schema log: looks definitions up, reading new ones lazily. */
export class SchemaReader {
  private readonly reader: AppendLogReader;
  private readonly shapes: ShapeReader[] = [];
  private readonly structureList: string[][] = [];

  constructor(log: SharedArrayBuffer) {
    this.reader = new AppendLogReader(log);
  }

  /** The reader of fast-path shape `id`. */
  shape(id: number): ShapeReader {
    const reader = this.shapes[id];
    if (reader !== undefined) return reader;
    this.refresh();
    const loaded = this.shapes[id];
    if (loaded === undefined) {
      throw new BactorError(ErrorCode.UNKNOWN_SCHEMA, `record uses shape id=${id}, but the schema log holds ${this.shapes.length} shapes`);
    }
    return loaded;
  }

  /** Every msgpackr structure in the log so far (a fresh outer array, as msgpackr expects). */
  structures(): string[][] {
    this.refresh();
    return this.structureList.slice();
  }

  private refresh(): void {
    for (let entry = this.reader.next(); entry !== null; entry = this.reader.next()) {
      const { kind, keys } = decodeEntry(entry);
      if (kind === SCHEMA_SHAPE) this.shapes.push(createShapeReader(keys));
      else this.structureList.push(keys);
    }
  }
}
