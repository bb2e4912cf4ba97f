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
    <div class="card"><h2>Compliance score</h2><p class="big" id="compliance-score">–</p><p id="gate" class="muted"></p></div>
    <div class="card"><h2>Risk score</h2><p class="big" id="risk-score">–</p></div>
    <div class="card"><h2>Operations</h2><p class="big" id="total-operations">–</p><p id="rates" class="muted"></p></div>
    <div class="card"><h2>Blocked operations</h2><p class="big" id="blocked-operations">–</p></div>
  </section>
  <section class="indicators" id="status-indicators" aria-label="Status indicators"></section>
  <section class="grid">
    <div class="panel"><h2>Findings by severity</h2><p id="findings-by-severity"></p><h2>Key findings</h2><ul id="key-findings"></ul></div>
    <div class="panel"><h2>Immediate actions</h2><ul id="immediate-actions"></ul></div>
  </section>
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
