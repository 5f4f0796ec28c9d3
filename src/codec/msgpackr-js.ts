/**
 * msgpackr as bactor uses it: on its pure JavaScript path, without changing the host's
 * environment. The import order is the point: `msgpackr-env.js` evaluates (sets the variable),
 * then msgpackr (reads it, unless the host evaluated it earlier), then this module's body puts
 * the variable back. Every bactor module that uses msgpackr imports it from here.
 */
import { restoreMsgpackrEnv } from './msgpackr-env.js';
import { Packr, Unpackr, addExtension } from 'msgpackr';

restoreMsgpackrEnv();

export { Packr, Unpackr, addExtension };
export type { Options } from 'msgpackr';
