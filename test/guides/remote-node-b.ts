// The README's remote guide, node B: a process of its own (test/guides/remote.test.ts starts it).
import { ActorSystem } from '../../src/index.js';
import { Greeter } from './remote-greeter.actor.js';

const b = await ActorSystem.start({ remote: { listen: '127.0.0.1:4100', secret: 'cluster-secret', spawnable: [Greeter] } });
await b.spawn(Greeter, undefined, { name: 'greeter' });

console.log('ready');
process.stdin.on('end', () => void b.shutdown().then(() => process.exit(0)));
process.stdin.resume();
setTimeout(() => process.exit(0), 60_000).unref();
