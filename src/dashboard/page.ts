/**
 * The dashboard page's static parts. The HTML carries no data: the script
 * fetches `/api/snapshot` and fills the page through `textContent`, so text
 * from AWS (user agents, resource names, error messages) is never parsed as
 * HTML. The Content-Security-Policy forbids inline script as a second wall.
 * URLs are relative so the page also works behind a reverse proxy's path prefix.
 */

/** Sent with every dashboard response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeAttribute = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface PageOptions {
  /** Appended to asset URLs so a token-protected server can serve them to the browser. */
  token?: string;
  refreshMs: number;
}

export function renderPage(options: PageOptions): string {
  const q = options.token === undefined ? '' : escapeAttribute(`?token=${encodeURIComponent(options.token)}`);
  const table = (id: string, headings: string[]): string =>
    `<table id="${id}"><thead><tr>${headings.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody></tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>InvenTag compliance dashboard</title>
<link rel="icon" href="assets/favicon.svg${q}" type="image/svg+xml">
<link rel="stylesheet" href="assets/dashboard.css${q}">
<script src="assets/chart.umd.min.js${q}" defer></script>
<script src="assets/dashboard.js${q}" defer></script>
</head>
<body data-refresh-ms="${Math.round(options.refreshMs)}">
<header>
  <h1>InvenTag compliance</h1>
  <span id="overall-status" class="badge">loading</span>
  <span id="standard" class="muted"></span>
  <span class="spacer"></span>
  <span id="connection" class="muted">connecting…</span>
  <span id="updated" class="muted"></span>
</header>
<main>
  <section class="cards">
    <div class="card"><h2>Compliance score</h2><p class="big" id="compliance-score">–</p></div>
    <div class="card"><h2>Risk score</h2><p class="big" id="risk-score">–</p></div>
    <div class="card"><h2>Operations</h2><p class="big" id="total-operations">–</p><p id="rates" class="muted"></p></div>
    <div class="card"><h2>Blocked operations</h2><p class="big" id="blocked-operations">–</p></div>
  </section>
  <section class="indicators" id="status-indicators" aria-label="Status indicators"></section>
  <section class="grid">
    <div class="panel"><h2>Operations over time</h2><div class="chart-box"><canvas id="timeline-chart" aria-label="Operations over time: allowed, blocked, failed"></canvas></div></div>
    <div class="panel"><h2>Errors by severity</h2><div class="chart-box"><canvas id="errors-chart" aria-label="Errors by severity"></canvas></div></div>
  </section>
  <section class="grid">
    <div class="panel"><h2>Resource usage</h2><div id="resources"></div></div>
    <div class="panel"><h2>Audit trail</h2><p id="audit"></p><h2>Circuit breakers</h2>${table('breakers-table', ['Service', 'Operation', 'State', 'Failures'])}</div>
  </section>
  <section class="panel"><h2>Recent blocked operations</h2>${table('blocked-table', ['Time', 'Service', 'Operation', 'Risk', 'Reason'])}</section>
  <section class="panel"><h2>CloudTrail findings</h2><p id="cloudtrail-summary"></p>${table('findings-table', ['Time', 'Event', 'Principal', 'Source IP', 'User agent', 'Why shown'])}</section>
</main>
</body>
</html>
`;
}

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6f43"/><path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>
`;

export const PAGE_CSS = `
:root { color-scheme: light dark; --ok: #1f8a4c; --warn: #b7791f; --bad: #c53030; --off: #718096; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; gap: 12px; align-items: center; padding: 12px 20px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
.spacer { flex: 1; }
main { padding: 16px 20px; display: flex; flex-direction: column; gap: 16px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; margin: 0 0 8px; opacity: .75; }
.muted { opacity: .7; }
.badge, .pill { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #fff; background: var(--off); font-weight: 600; }
.ok { background: var(--ok); } .warn { background: var(--warn); } .bad { background: var(--bad); } .off { background: var(--off); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; }
.card, .panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
.big { font-size: 32px; font-weight: 700; margin: 0; }
.big.ok, .big.warn, .big.bad { background: none; }
.big.ok { color: var(--ok); } .big.warn { color: var(--warn); } .big.bad { color: var(--bad); }
.indicators { display: flex; gap: 8px; flex-wrap: wrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
.chart-box { position: relative; height: 240px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; vertical-align: top; }
td.empty { opacity: .6; font-style: italic; }
.resource { display: grid; grid-template-columns: 70px 1fr 190px; gap: 8px; align-items: center; margin: 6px 0; }
.resource meter { width: 100%; height: 16px; }
.resource.over .value { color: var(--bad); font-weight: 700; }
.state-OPEN { color: var(--bad); font-weight: 700; } .state-HALF_OPEN { color: var(--warn); font-weight: 700; } .state-CLOSED { color: var(--ok); }
`;
