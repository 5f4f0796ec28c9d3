// Imports bactor (after msgpackr with `msgpackr-first`), runs an actor on a worker and prints as
// JSON what the environment and msgpackr look like in both threads (test/codec/no-native-addon.test.ts).
import { isDeepStrictEqual } from 'node:util';

const before = { ...process.env };
const msgpackrFirst = process.argv[2] === 'msgpackr-first';
const early = msgpackrFirst ? await import('msgpackr') : null;
const { ActorSystem } = await import('../../src/index.js');
const msgpackr = early ?? (await import('msgpackr'));
const { EnvProbe, envReport } = await import('../fixtures/env-probe.actor.js');
const envUnchanged = isDeepStrictEqual({ ...process.env }, before);
const main = envReport(msgpackr.isNativeAccelerationEnabled);

const system = await ActorSystem.start({ workers: 1 });
const probe = await system.spawn(EnvProbe, undefined);
const worker = await probe.ask({ type: 'env' }, { timeout: 10_000 });
// Strings of every length up to 300 (ASCII and not), in records long enough for msgpackr's
// native string extractor, decoded on this thread when msgpackr was loaded natively here.
const value = Array.from({ length: 301 }, (_, n) => ({ s: 'a'.repeat(n), u: 'é€😀'.repeat(n % 40), n }));
const echoed = isDeepStrictEqual(await probe.ask({ type: 'echo', value }, { timeout: 10_000 }), value);
await system.shutdown();
console.log(JSON.stringify({ envUnchanged, main, worker, echoed }));
