/** Asks `get` every 50 ms, at most `limitMs`, until `done` holds; returns the last answer. */
export async function poll<T>(get: () => Promise<T>, done: (value: T) => boolean, limitMs = 15_000): Promise<T> {
  const until = performance.now() + limitMs;
  let value = await get();
  while (!done(value) && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    value = await get();
  }
  return value;
}
