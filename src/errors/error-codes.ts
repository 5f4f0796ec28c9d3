import { BactorError, CoreErrorCode } from '../../native-free-core/errors.js';

export { BactorError };

/**
 * Every stable error code bactor raises. Match on `err.code`; messages may be reworded.
 */
export const ErrorCode = {
  ...CoreErrorCode,
  /** A message holds a value the codec cannot carry; the message names the path. */
  UNSERIALIZABLE_MESSAGE: 'ERR_UNSERIALIZABLE_MESSAGE',
  /** A record on a ring is not in the wire format (corrupt or from another version). */
  MALFORMED_RECORD: 'ERR_MALFORMED_RECORD',
  /** A record refers to a shape or structure the schema log does not have. */
  UNKNOWN_SCHEMA: 'ERR_UNKNOWN_SCHEMA',
  /** A large-lane reference arrived without its payload. */
  LARGE_LANE_DESYNC: 'ERR_LARGE_LANE_DESYNC',
  /** A message codec was registered twice or with a bad type number. */
  CODEC_REGISTRATION: 'ERR_CODEC_REGISTRATION',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
