// A replicated store in one system (no other node): the main thread's handle, an actor on a
// worker asking the store's replicator and subscribing to a key, and the errors of misuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, crdtKey } from '../../src/index.js';
import { CartClient } from '../fixtures/crdt-client.actor.js';

test('a store used from the main thread and from an actor on a worker; subscriptions on both', async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const store = await system.replicated({ name: 'shop' });
  const cart = crdtKey<'ORSet', string>('cart', 'ORSet');
  const heard: string[][] = [];
  const off = store.subscribe(cart, (items) => heard.push(items));

  const client = await system.spawn(CartClient, undefined);
  client.tell({ type: 'watch', store: store.ref });
  assert.deepEqual(await client.ask({ type: 'add', store: store.ref, item: 'pear' }), { ok: true, value: ['pear'] });
  assert.deepEqual(await store.update(cart, 'add', ['apple']), ['apple', 'pear']);
  assert.deepEqual(await store.update(cart, 'remove', ['pear']), ['apple']);
  assert.deepEqual(await store.get(cart), ['apple']);
  off();
  await store.update(cart, 'add', ['fig']);
  assert.deepEqual(heard, [['pear'], ['apple', 'pear'], ['apple']], 'the listener until it unsubscribed');
  assert.deepEqual(await client.ask({ type: 'seen' }), [['pear'], ['apple', 'pear'], ['apple'], ['apple', 'fig']]);
  assert.deepEqual(store.keys(), ['cart']);
  assert.match(store.replicaId, /^local#\d+$/, 'without remote: local, with the incarnation');

  // Misuse: a failure answers an actor's ask with the code, and rejects on the main thread.
  const reply = await client.ask({ type: 'add', store: store.ref, item: undefined as unknown as string });
  assert.equal((reply as { code: string }).code, 'ERR_INVALID_ARGUMENT');
  await assert.rejects(store.update(crdtKey('cart', 'GCounter'), 'increment'), /holds a ORSet/);
  await assert.rejects(store.get(cart, { read: 'all', timeoutMs: 0 }), { code: 'ERR_INVALID_OPTION' });
  assert.equal(await store.get(crdtKey('nothing', 'LWWRegister')), null, 'an empty register');
  await assert.rejects(system.replicated({ name: 'shop' }), { code: 'ERR_NAME_TAKEN' });
  await assert.rejects(system.replicated({ name: 'durable', durable: true }), { code: 'ERR_NO_JOURNAL' });
  await store.close();
  await assert.rejects(store.get(cart), { code: 'ERR_SYSTEM_STOPPED' });
});
