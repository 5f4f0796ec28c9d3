/**
 * The dashboard: one self-contained page (no asset, no CDN: it works on a machine without a
 * network) that reads `/events` (Server-Sent Events of dashboard-snapshot.ts's snapshots) and
 * draws the threads, the kinds, the message rate, a kind's latency histogram, the dead letters
 * and the failures, and the other nodes with `remote`. Element ids are stable (the browser test reads them).
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bactor dashboard</title>
<style>
  :root { --bg:#0f1420; --card:#171e2e; --line:#26304a; --text:#dce3f0; --dim:#8a96b0; --accent:#4fc3f7; --warn:#ffb74d; --bad:#ef5350; --ok:#66bb6a; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; align-items:center; gap:16px; padding:12px 20px; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; letter-spacing:.5px; }
  #status { font-size:12px; padding:2px 8px; border-radius:10px; background:var(--line); color:var(--dim); }
  #status.live { background:#1b3a24; color:var(--ok); }
  #status.lost { background:#3a1b1b; color:var(--bad); }
  main { display:grid; grid-template-columns: repeat(12, 1fr); gap:14px; padding:14px 20px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
  .card h2 { font-size:12px; text-transform:uppercase; letter-spacing:1px; color:var(--dim); margin:0 0 8px; font-weight:600; }
  .totals { grid-column: span 12; display:grid; grid-template-columns: repeat(6, 1fr); gap:14px; }
  .stat .v { font-size:24px; font-variant-numeric: tabular-nums; }
  .stat .l { color:var(--dim); font-size:12px; }
  .wide { grid-column: span 8; } .narrow { grid-column: span 4; } .full { grid-column: span 12; } .half { grid-column: span 6; }
  table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align:right; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
  th:first-child, td:first-child { text-align:left; }
  th { color:var(--dim); font-weight:500; font-size:12px; }
  tr.sel td { background:#1d2740; }
  #kinds tbody tr { cursor:pointer; }
  .bar { position:relative; height:8px; background:var(--line); border-radius:4px; min-width:80px; }
  .bar > span { position:absolute; left:0; top:0; bottom:0; border-radius:4px; background:var(--accent); }
  .bar.fill > span { background:var(--warn); }
  canvas { width:100%; height:180px; display:block; }
  .list { max-height:220px; overflow:auto; font-size:12px; }
  .list td { text-align:left; }
  .empty { color:var(--dim); font-style:italic; }
  #tree ul { list-style:none; margin:0; padding-left:16px; } #tree > ul { padding-left:0; }
  #tree li { white-space:nowrap; } #tree .t { color:var(--dim); margin:0 6px; } #tree .h { color:var(--warn); }
</style>
</head>
<body>
<header><h1>bactor</h1><span id="status">connecting…</span><span id="clock" style="color:var(--dim);font-size:12px"></span></header>
<main>
  <section class="totals">
    <div class="card stat"><div class="v" id="total-rate">0</div><div class="l">messages / s</div></div>
    <div class="card stat"><div class="v" id="total-processed">0</div><div class="l">messages handled</div></div>
    <div class="card stat"><div class="v" id="total-actors">0</div><div class="l">live actors</div></div>
    <div class="card stat"><div class="v" id="total-mailbox">0</div><div class="l">queued in mailboxes</div></div>
    <div class="card stat"><div class="v" id="total-held">0</div><div class="l">actors held</div></div>
    <div class="card stat"><div class="v" id="total-dead">0</div><div class="l">dead letters</div></div>
  </section>
  <section class="card wide"><h2>Message rate (msgs/s)</h2><canvas id="rate-chart" width="800" height="180"></canvas></section>
  <section class="card narrow"><h2>Handler time: <span id="hist-kind">—</span></h2><canvas id="hist-chart" width="400" height="180"></canvas></section>
  <section class="card full"><h2>Threads</h2>
    <table id="workers"><thead><tr><th>thread</th><th>load</th><th>msgs/s</th><th>handled</th><th>actors</th><th>run queue</th><th>ring fill</th><th>held</th><th>dead letters</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="card full"><h2>Actor kinds (click one for its histogram)</h2>
    <table id="kinds"><thead><tr><th>kind</th><th>actors</th><th>msgs/s</th><th>handled</th><th>mailbox</th><th>held</th><th>p50</th><th>p99</th><th>failures</th><th>restarts</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="card full" id="nodes-card" hidden><h2>Nodes</h2>
    <table id="nodes"><thead><tr><th>node</th><th>link</th><th>incarnation</th><th>out msgs/s</th><th>in msgs/s</th><th>sent</th><th>received</th><th>bytes out</th><th>bytes in</th><th>backlog</th><th>reconnects</th><th>lost</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="card full"><h2>Actor tree <span id="tree-note" style="text-transform:none;letter-spacing:0"></span></h2><div class="list" id="tree"><span class="empty">loading…</span></div></section>
  <section class="card half"><h2>Dead letters (latest)</h2><div class="list"><table id="deadletters"><tbody></tbody></table></div></section>
  <section class="card half"><h2>Failures and events</h2><div class="list"><table id="events"><tbody></tbody></table></div></section>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => n >= 1e9 ? (n / 1e9).toFixed(2) + 'G' : n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : String(Math.round(n));
  const dur = (s) => s === null ? '—' : s < 1e-3 ? (s * 1e6).toFixed(0) + ' µs' : s < 1 ? (s * 1e3).toFixed(s < 1e-2 ? 1 : 0) + ' ms' : s.toFixed(1) + ' s';
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const history = [];
  let selected = null;
  let last = null;

  function bar(ratio, cls) {
    const pct = Math.max(0, Math.min(1, ratio)) * 100;
    return '<div class="bar ' + (cls || '') + '"><span style="width:' + pct.toFixed(1) + '%"></span></div>';
  }

  function drawRate() {
    const c = $('rate-chart'); const g = c.getContext('2d');
    const w = c.width, h = c.height; g.clearRect(0, 0, w, h);
    const max = Math.max(1, ...history.map((p) => p.rate));
    g.strokeStyle = '#26304a'; g.fillStyle = '#8a96b0'; g.font = '11px system-ui';
    for (let i = 0; i <= 4; i++) { const y = h - 16 - (h - 26) * i / 4; g.beginPath(); g.moveTo(40, y); g.lineTo(w, y); g.stroke(); g.fillText(fmt(max * i / 4), 2, y + 4); }
    if (history.length < 2) return;
    g.strokeStyle = '#4fc3f7'; g.lineWidth = 2; g.beginPath();
    history.forEach((p, i) => { const x = 40 + (w - 44) * i / (120 - 1); const y = h - 16 - (h - 26) * p.rate / max; i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  }

  function drawHistogram(snap) {
    const kind = snap.kinds.find((k) => k.kind === selected) || snap.kinds[0];
    const c = $('hist-chart'); const g = c.getContext('2d'); const w = c.width, h = c.height;
    g.clearRect(0, 0, w, h);
    $('hist-kind').textContent = kind ? kind.kind : '—';
    if (!kind) return;
    const n = kind.buckets.length; const max = Math.max(1, ...kind.buckets); const bw = (w - 10) / n;
    g.font = '10px system-ui';
    kind.buckets.forEach((v, i) => {
      const bh = (h - 30) * v / max; g.fillStyle = '#4fc3f7'; g.fillRect(5 + i * bw + 1, h - 20 - bh, bw - 2, bh);
      if (i % 2 === 0) { g.fillStyle = '#8a96b0'; const b = snap.bucketBounds[i]; g.fillText(b === '+Inf' ? '∞' : dur(b), 5 + i * bw, h - 6); }
    });
  }

  function render(snap) {
    last = snap;
    $('total-rate').textContent = fmt(snap.totals.rate);
    $('total-processed').textContent = fmt(snap.totals.processed);
    $('total-actors').textContent = fmt(snap.totals.actors);
    $('total-mailbox').textContent = fmt(snap.totals.mailbox);
    $('total-held').textContent = fmt(snap.totals.held);
    $('total-dead').textContent = fmt(snap.totals.deadLetters);
    $('clock').textContent = new Date(snap.at).toLocaleTimeString();
    $('workers').tBodies[0].innerHTML = snap.threads.map((t) =>
      '<tr data-thread="' + esc(t.thread) + '"><td>' + esc(t.thread) + '</td><td>' + bar(t.utilisation) + '</td><td>' + fmt(t.rate) + '</td><td>' + fmt(t.processed) +
      '</td><td>' + fmt(t.actors) + '</td><td>' + fmt(t.runQueue) + '</td><td>' + (t.thread === 'main' ? '—' : bar(t.ringFill, 'fill')) + '</td><td>' + fmt(t.held) + '</td><td>' + fmt(t.deadLetters) + '</td></tr>').join('');
    $('kinds').tBodies[0].innerHTML = snap.kinds.length === 0 ? '<tr><td class="empty" colspan="10">no actors yet</td></tr>' : snap.kinds.map((k) =>
      '<tr data-kind="' + esc(k.kind) + '"' + (k.kind === selected ? ' class="sel"' : '') + '><td>' + esc(k.kind) + '</td><td>' + fmt(k.actors) + '</td><td>' + fmt(k.rate) + '</td><td>' + fmt(k.handled) +
      '</td><td>' + fmt(k.mailbox) + '</td><td>' + fmt(k.held) + '</td><td>' + dur(k.p50) + '</td><td>' + dur(k.p99) + '</td><td>' + fmt(k.failures) + '</td><td>' + fmt(k.restarts) + '</td></tr>').join('');
    $('nodes-card').hidden = snap.peers.length === 0;
    $('nodes').tBodies[0].innerHTML = snap.peers.map((p) =>
      '<tr data-peer="' + esc(p.peer) + '"><td>' + esc(p.peer) + '</td><td>' + esc(p.state) + '</td><td>' + (p.incarnation || '—') + '</td><td>' + fmt(p.rateOut) + '</td><td>' + fmt(p.rateIn) +
      '</td><td>' + fmt(p.messagesOut) + '</td><td>' + fmt(p.messagesIn) + '</td><td>' + fmt(p.bytesOut) + '</td><td>' + fmt(p.bytesIn) + '</td><td>' + fmt(p.backlog) + '</td><td>' + fmt(p.reconnects) + '</td><td>' + fmt(p.lost) + '</td></tr>').join('');
    $('deadletters').tBodies[0].innerHTML = snap.deadLetters.length === 0 ? '<tr><td class="empty">none</td></tr>' : snap.deadLetters.slice().reverse().map((d) =>
      '<tr><td>' + new Date(d.at).toLocaleTimeString() + '</td><td>' + esc(d.messageType) + '</td><td>→ ' + esc(d.target) + '</td><td>from ' + esc(d.sender || '—') + '</td><td>' + esc(d.reason) + '</td></tr>').join('');
    $('events').tBodies[0].innerHTML = snap.events.length === 0 ? '<tr><td class="empty">none</td></tr>' : snap.events.slice().reverse().map((e) =>
      '<tr><td>' + new Date(e.at).toLocaleTimeString() + '</td><td>' + esc(e.type) + '</td><td>' + esc(e.text) + '</td></tr>').join('');
    drawRate();
    drawHistogram(snap);
    document.body.dataset.frames = String((Number(document.body.dataset.frames) || 0) + 1);
  }

  $('kinds').addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-kind]');
    if (!row) return;
    selected = row.dataset.kind;
    if (last) render(last);
  });

  // The actor tree: a request to every worker, so every 5 s rather than every frame; 500 nodes shown at most.
  async function loadTree() {
    try {
      const tree = await (await fetch('tree')).json();
      let shown = 0;
      const node = (n) => {
        if (++shown > 500) return '';
        return '<li data-ref="' + esc(n.ref) + '">' + esc(n.ref) + (n.name ? '<span class="t">"' + esc(n.name) + '"</span>' : '') +
          '<span class="t">mailbox ' + fmt(n.mailbox) + '</span>' + (n.held ? '<span class="h">held</span>' : '') +
          (n.children.length ? '<ul>' + n.children.map(node).join('') + '</ul>' : '') + '</li>';
      };
      const html = tree.threads.map((t) => '<li><b>' + esc(t.thread) + '</b>' + (t.truncated ? ' <span class="t">(cut at 10,000)</span>' : '') +
        '<ul>' + t.roots.map(node).join('') + '</ul></li>').join('');
      $('tree').innerHTML = '<ul>' + html + '</ul>';
      $('tree-note').textContent = shown > 500 ? '(first 500 shown)' : '';
    } catch (e) {
      $('tree').innerHTML = '<span class="empty">' + esc(e.message) + '</span>';
    }
  }
  loadTree();
  setInterval(loadTree, 5000);

  const source = new EventSource('events');
  source.onopen = () => { $('status').textContent = 'live'; $('status').className = 'live'; };
  source.onerror = () => { $('status').textContent = 'disconnected, retrying'; $('status').className = 'lost'; };
  source.onmessage = (e) => {
    const snap = JSON.parse(e.data);
    history.push({ at: snap.at, rate: snap.totals.rate });
    if (history.length > 120) history.shift();
    render(snap);
  };
})();
</script>
</body>
</html>
`;
