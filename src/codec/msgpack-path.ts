import { Packr, Unpackr, type Options } from './msgpackr-js.js';
import { inspectMessage, replaceNegativeZero } from './inspect-message.js';
import type { SchemaReader, SchemaWriter } from './schema-log.js';
import { MAX_SHARED_STRUCTURES } from './wire-format.js';

/** Options shared by both ends: they must agree, or records decode wrongly. */
export const MSGPACK_COMMON: Options = {
  useRecords: true,
  moreTypes: true,
  useBigIntExtension: true,
  mapsAsObjects: false,
  structuredClone: false,
  bundleStrings: false,
  // Decoded byte arrays must not alias the decoder's scratch buffer.
  copyBuffers: true,
};

const LOG_FULL = Symbol('schema log full');

/**
 * The general path: msgpackr with record structures shared through the ring's schema log. The
 * encoder registers each new structure in the log before the record that uses it is committed;
 * the decoder reloads the log when it meets a structure id it has not seen.
 */
export class MsgpackEncoder {
  private packr: Packr;
  private readonly schema: SchemaWriter;

  constructor(schema: SchemaWriter) {
    this.schema = schema;
    this.packr = this.createPackr(MAX_SHARED_STRUCTURES);
  }

  /**
   * Encodes `value` (after checking the codec can carry it). The bytes live in the packer's
   * buffer and are valid until the next call.
   */
  pack(value: unknown): Uint8Array {
    if (inspectMessage(value)) value = replaceNegativeZero(value);
    try {
      return this.packr.pack(value);
    } catch (error) {
      // Replace the packer after any failure: its structure state may be half-updated.
      const full = error === LOG_FULL;
      this.packr = this.createPackr(full ? this.schema.structures.length : MAX_SHARED_STRUCTURES);
      if (!full) throw error;
      // The log has no room for more structures: freeze the shared set, new shapes go inline.
      return this.packr.pack(value);
    }
  }

  private createPackr(maxSharedStructures: number): Packr {
    const schema = this.schema;
    return new Packr({
      ...MSGPACK_COMMON,
      maxSharedStructures,
      getStructures: () => schema.structures.map((keys) => keys.slice()),
      saveStructures: (structures: (string[] | undefined)[]) => {
        if (!schema.saveStructures(structures)) throw LOG_FULL;
        return true;
      },
    } as Options);
  }
}

export class MsgpackDecoder {
  private readonly unpackr: Unpackr;
  /** Private copy of a record: unpacking straight from shared memory hits msgpackr's slow path. */
  private scratch = new Uint8Array(4096);

  constructor(schema: SchemaReader) {
    this.unpackr = new Unpackr({
      ...MSGPACK_COMMON,
      maxSharedStructures: MAX_SHARED_STRUCTURES,
      getStructures: () => schema.structures(),
    } as Options);
  }

  /** Decodes `bytes[start, end)`, copying it out of shared memory first. */
  unpackShared(bytes: Uint8Array, start: number, end: number): unknown {
    const length = end - start;
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, this.scratch.length * 2));
    this.scratch.set(bytes.subarray(start, end));
    return this.unpackr.unpack(this.scratch.subarray(0, length));
  }

  /** Decodes private bytes (the large lane). */
  unpack(bytes: Uint8Array): unknown {
    return this.unpackr.unpack(bytes);
  }
}
