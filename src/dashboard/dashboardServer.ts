import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ComplianceMetrics } from '../metrics/ComplianceMetrics.js';
import { MetricsError } from '../metrics/errors.js';
import { admitRequest, assertBindAllowed, baseUrl, closeServer, listen, sendText } from '../metrics/httpAccess.js';
import type { RunningServer } from '../metrics/httpAccess.js';
import type { SnapshotSource } from '../metrics/snapshot.js';
import { CONTENT_SECURITY_POLICY, FAVICON_SVG, renderPage } from './page.js';

export interface DashboardOptions {
  source: SnapshotSource;
  /** @default 8080 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Required when `host` is not a loopback address. Requests then need
   * `Authorization: Bearer <token>`; the page and its assets also accept `?token=`.
   */
  token?: string;
  /**
   * How often the page fetches a new snapshot.
   * @default 5
   */
  refreshSeconds?: number;
  /** Told about snapshot failures (the request gets a 503). */
  onError?: (err: unknown) => void;
}

/**
 * The page's own script and style sheet: real files next to this module (`assets/`), linted and
 * formatted like the rest of the source, copied into the build by `scripts/copy-assets.mjs`.
 */
function loadAsset(name: string): Buffer {
  try {
    return readFileSync(new URL(`./assets/${name}`, import.meta.url));
  } catch (err) {
    throw new MetricsError(
      'LISTEN_FAILED',
      `the dashboard asset ${name} is missing from the installation; reinstall inventag`,
      {
        cause: err,
      },
    );
  }
}

/** The installed chart.js package's UMD build: served by us, so the page needs no CDN. */
function loadChartJs(): Buffer {
  const require = createRequire(import.meta.url);
  try {
    return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  } catch (err) {
    throw new MetricsError(
      'LISTEN_FAILED',
      'the dashboard needs the chart.js package (its dist/chart.umd.min.js); reinstall inventag',
      { cause: err },
    );
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, head: boolean, contentType: string, body: string | Buffer): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType });
  res.end(head ? undefined : body);
}

/**
 * Serves the live compliance dashboard: the page, its assets, the JSON API
 * (`/api/dashboard`: the seed's dashboard data; `/api/snapshot`: everything
 * the page shows) and `/metrics`.
 *
 * @throws {BindError} when the bind rules refuse the address or the port is in use
 * @example
 * const dashboard = await startDashboard({ source: manager, port: 8080 });
 * console.log(`open ${dashboard.url}/`);
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requested = options.port ?? 8080;
  const { source, token } = options;
  assertBindAllowed(host, requested, token);
  const chartJs = loadChartJs();
  const clientScript = loadAsset('dashboard.js');
  const styleSheet = loadAsset('dashboard.css');
  const page = renderPage({ token, refreshMs: (options.refreshSeconds ?? 5) * 1000 });
  const metrics = new ComplianceMetrics();

  const assets: Record<string, [string, string | Buffer]> = {
    '/': ['text/html; charset=utf-8', page],
    '/index.html': ['text/html; charset=utf-8', page],
    '/assets/dashboard.js': ['text/javascript; charset=utf-8', clientScript],
    '/assets/dashboard.css': ['text/css; charset=utf-8', styleSheet],
    '/assets/chart.umd.min.js': ['text/javascript; charset=utf-8', chartJs],
    '/assets/favicon.svg': ['image/svg+xml', FAVICON_SVG],
  };

  const server = createServer((req, res) => {
    const url = admitRequest(req, res, token, !isApiPath(req.url));
    if (!url) return;
    const head = req.method === 'HEAD';
    const asset = assets[url.pathname];
    if (asset) {
      send(res, head, asset[0], asset[1]);
      return;
    }
    const route =
      url.pathname === '/api/snapshot' || url.pathname === '/api/dashboard' || url.pathname === '/metrics'
        ? url.pathname
        : undefined;
    if (!route) {
      sendText(res, 404, 'not found', SECURITY_HEADERS);
      return;
    }
    source
      .getSnapshot()
      .then(async (snapshot) => {
        if (route === '/metrics') {
          metrics.update(snapshot);
          send(res, head, metrics.contentType, await metrics.render());
        } else {
          send(
            res,
            head,
            'application/json; charset=utf-8',
            JSON.stringify(route === '/api/dashboard' ? snapshot.dashboard : snapshot),
          );
        }
      })
      .catch((err: unknown) => {
        options.onError?.(err);
        sendText(res, 503, 'the compliance snapshot could not be read', SECURITY_HEADERS);
      });
  });
  const port = await listen(server, requested, host);
  return { host, port, url: baseUrl(host, port), close: () => closeServer(server) };
}

/**
 * The JSON API and `/metrics` take the bearer header only; `?token=` is for what a browser loads by URL. The
 * path is normalised first, as the router sees it (`/./api/...`, `/x/../api/...`, `%2e` segments), so no
 * spelling of an API path is taken for a page.
 */
export function isApiPath(raw: string | undefined): boolean {
  let path: string;
  try {
    path = new URL(raw ?? '/', 'http://localhost').pathname;
  } catch {
    return true;
  }
  return path.startsWith('/api/') || path === '/metrics';
}
