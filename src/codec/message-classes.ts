import { addExtension } from './msgpackr-js.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/**
 * How instances of a user class cross threads. Register the same codec, with the same `type`,
 * in every thread that sends or receives it (a module that every worker imports).
 */
export interface MessageClassCodec<T, E> {
  /** The class whose instances this codec carries (matched by exact prototype). */
  readonly Class: abstract new (...args: never[]) => T;
  /** A number from 1 to 63 that identifies the class on the wire; unique per application. */
  readonly type: number;
  /** Turns an instance into a value the codec carries natively. */
  encode(value: T): E;
  /** Rebuilds an instance from what `encode` returned. */
  decode(encoded: E): T;
}

const registered = new Map<object, number>();
const typesInUse = new Map<number, string>();

/** True when instances whose prototype is `proto` have a registered codec. */
export function hasMessageClass(proto: object): boolean {
  return registered.has(proto);
}

/** Registers a codec for a user class, so its instances may be sent in messages. */
export function registerMessageClass<T, E>(codec: MessageClassCodec<T, E>): void {
  const { Class, type } = codec;
  if (!Number.isInteger(type) || type < 1 || type > 63) {
    throw new BactorError(ErrorCode.CODEC_REGISTRATION, `message class ${Class.name}: type=${type} must be an integer from 1 to 63`);
  }
  register(codec);
}

/** bactor's own classes (ActorRef, …) use types 64–79. */
export function registerInternalClass<T, E>(codec: MessageClassCodec<T, E>): void {
  if (!(codec.type >= 64 && codec.type <= 79))
    throw new BactorError(ErrorCode.CODEC_REGISTRATION, `internal type=${codec.type} must be from 64 to 79`);
  register(codec);
}

function register<T, E>(codec: MessageClassCodec<T, E>): void {
  const { Class, type } = codec;
  const owner = typesInUse.get(type);
  if (owner !== undefined) {
    throw new BactorError(ErrorCode.CODEC_REGISTRATION, `message class ${Class.name}: type=${type} is already used by ${owner}`);
  }
  if (registered.has(Class.prototype as object)) {
    throw new BactorError(ErrorCode.CODEC_REGISTRATION, `message class ${Class.name} is already registered`);
  }
  registered.set(Class.prototype as object, type);
  typesInUse.set(type, Class.name);
  addExtension({
    Class: Class as unknown as new () => T,
    type,
    write: (value: T) => codec.encode(value),
    read: (data: E) => codec.decode(data),
  });
}

/** Marks a -0 nested in a msgpack-path message, which msgpack would otherwise turn into 0. */
export class NegativeZero {}
export const NEGATIVE_ZERO_EXTENSION = 0x5a;
addExtension({ Class: NegativeZero, type: NEGATIVE_ZERO_EXTENSION, write: () => 0, read: () => -0 });
