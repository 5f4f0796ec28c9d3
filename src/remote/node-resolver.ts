import type { NodeDirectory } from './node-directory.js';

/** Messages and system messages that may wait for a node's address to be found. */
const HELD_LIMIT = 65_536;
/** How long each node asked may take to answer. */
const ASK_MS = 2000;

/**
 * Finds where a node listens when a ref of it came from a third node (that node never made
 * contact here): asks every node this one knows (WhereIs), and runs what waited for the answer in
 * the order it was sent — the messages go, or become dead letters when nobody knew.
 */
export class NodeResolver {
  private readonly waiting = new Map<number, ((found: boolean) => void)[]>();
  private held = 0;

  constructor(
    private readonly nodes: NodeDirectory,
    /** Called after the waiting ones ran (to flush what they queued). */
    private readonly settled: () => void,
  ) {}

  /** Runs `then` once the node of `incarnation` is found (true) or not (false); false now when too much waits already. */
  hold(incarnation: number, then: (found: boolean) => void): boolean {
    if (this.held >= HELD_LIMIT) return false;
    this.held++;
    const list = this.waiting.get(incarnation);
    if (list !== undefined) {
      list.push(then);
      return true;
    }
    this.waiting.set(incarnation, [then]);
    void this.ask(incarnation).then((address) => {
      this.nodes.heardOf(address, incarnation);
      const waited = this.waiting.get(incarnation) ?? [];
      this.waiting.delete(incarnation);
      this.held -= waited.length;
      for (const run of waited) run(address !== '');
      this.settled();
    });
    return true;
  }

  private async ask(incarnation: number): Promise<string> {
    const asks = this.nodes.knownAddresses().map(async (address) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(''), ASK_MS)));
      const found = await Promise.race([this.nodes.linkTo(address).whereIs(incarnation), timeout]).catch(() => '');
      clearTimeout(timer);
      if (found === '') throw new Error('not known there');
      return found;
    });
    return Promise.any(asks).catch(() => '');
  }
}
