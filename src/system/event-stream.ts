/**
 * A small publish/subscribe stream with per-type counts: the system's dead letters and
 * failures. Subscribers run synchronously on the main thread; one that throws is removed, so a
 * faulty listener cannot break delivery to the others.
 */
export class EventStream<E extends { type: string }> {
  private readonly listeners = new Set<(event: E) => void>();
  private readonly counts = new Map<string, number>();

  /** Calls `listener` for each event; returns the function that unsubscribes it. */
  subscribe(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events published so far, of one type or in all. */
  count(type?: E['type']): number {
    if (type !== undefined) return this.counts.get(type) ?? 0;
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  publish(event: E): void {
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
