import type { DashboardSnapshot } from '../observability/dashboard-snapshot.js';

const fmt = (n: number): string =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)}G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)}M`
      : n >= 1e4
        ? `${(n / 1e3).toFixed(1)}k`
        : String(Math.round(n));
const dur = (s: number | null): string =>
  s === null ? '—' : s < 1e-3 ? `${(s * 1e6).toFixed(0)}µs` : s < 1 ? `${(s * 1e3).toFixed(s < 1e-2 ? 1 : 0)}ms` : `${s.toFixed(1)}s`;

function bar(ratio: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, ratio)) * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}]`;
}

function table(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0]!.map((_c, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
}

/**
 * One screen of `bactor top`: totals, the threads with their load, the busiest kinds, the
 * latest dead letters and events; `rows` bounds the kinds listed (a terminal's height).
 */
export function renderTop(snap: DashboardSnapshot, rows = 40): string[] {
  const t = snap.totals;
  const lines = [
    `bactor top — ${new Date(snap.at).toLocaleTimeString()}   ${fmt(t.rate)} msgs/s   ${fmt(t.processed)} handled   ${fmt(t.actors)} actors   ${fmt(t.mailbox)} queued   ${fmt(t.held)} held   ${fmt(t.deadLetters)} dead letters`,
    '',
  ];
  lines.push(
    ...table(
      [
        ['THREAD', 'LOAD', '', 'MSGS/S', 'ACTORS', 'RUNQ', 'RING', 'HELD', 'DEAD'],
        ...snap.threads.map((w) => [
          w.thread,
          bar(w.utilisation, 20),
          `${Math.round(w.utilisation * 100)}%`,
          fmt(w.rate),
          fmt(w.actors),
          fmt(w.runQueue),
          w.thread === 'main' ? '—' : `${Math.round(w.ringFill * 100)}%`,
          fmt(w.held),
          fmt(w.deadLetters),
        ]),
      ],
      [false, false, true, true, true, true, true, true, true],
    ),
  );
  lines.push('');
  const kinds = snap.kinds.slice(0, Math.max(1, rows));
  lines.push(
    ...table(
      [
        ['KIND', 'ACTORS', 'MSGS/S', 'MAILBOX', 'HELD', 'P50', 'P99', 'FAILED', 'RESTARTS'],
        ...kinds.map((k) => [
          k.kind,
          fmt(k.actors),
          fmt(k.rate),
          fmt(k.mailbox),
          fmt(k.held),
          dur(k.p50),
          dur(k.p99),
          fmt(k.failures),
          fmt(k.restarts),
        ]),
      ],
      [false, true, true, true, true, true, true, true, true],
    ),
  );
  if (snap.kinds.length > kinds.length) lines.push(`… ${snap.kinds.length - kinds.length} more kinds`);
  // (A snapshot of a server older than the peers figures has none.)
  const peers = snap.peers ?? [];
  if (peers.length > 0) {
    lines.push('');
    lines.push(
      ...table(
        [
          ['NODE', 'LINK', 'OUT/S', 'IN/S', 'SENT', 'RECEIVED', 'BACKLOG', 'RECONNECTS', 'LOST'],
          ...peers.map((p) => [
            p.peer,
            p.state,
            fmt(p.rateOut),
            fmt(p.rateIn),
            fmt(p.messagesOut),
            fmt(p.messagesIn),
            fmt(p.backlog),
            fmt(p.reconnects),
            fmt(p.lost),
          ]),
        ],
        [false, false, true, true, true, true, true, true, true],
      ),
    );
  }
  const dead = snap.deadLetters.slice(-5).reverse();
  if (dead.length > 0) {
    lines.push('', 'LATEST DEAD LETTERS');
    for (const d of dead)
      lines.push(`  ${new Date(d.at).toLocaleTimeString()}  ${d.messageType} → ${d.target} from ${d.sender ?? '—'} (${d.reason})`);
  }
  const events = snap.events.slice(-5).reverse();
  if (events.length > 0) {
    lines.push('', 'LATEST EVENTS');
    for (const e of events) lines.push(`  ${new Date(e.at).toLocaleTimeString()}  ${e.type}  ${e.text}`);
  }
  return lines;
}
