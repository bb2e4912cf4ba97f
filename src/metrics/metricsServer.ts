import { createServer } from 'node:http';
import type { ComplianceMetrics } from './ComplianceMetrics.js';
import { admitRequest, assertBindAllowed, baseUrl, closeServer, listen, sendText } from './httpAccess.js';
import type { RunningServer } from './httpAccess.js';
import type { SnapshotSource } from './snapshot.js';

export interface MetricsServerOptions {
  metrics: ComplianceMetrics;
  /** Read before each scrape so the gauges are current; omit when something else calls `metrics.update()`. */
  source?: SnapshotSource;
  /** @default 9464 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Required when `host` is not a loopback address; scrapers send `Authorization: Bearer <token>`. */
  token?: string;
  /** Told about snapshot failures (the scrape gets a 503). */
  onError?: (err: unknown) => void;
}

/** Exposes `GET /metrics` for Prometheus to scrape. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requested = options.port ?? 9464;
  const { metrics, source, token } = options;
  assertBindAllowed(host, requested, token);

  // Scrapes are serialised so one scrape's update() never interleaves with another's render().
  let queue: Promise<unknown> = Promise.resolve();
  const scrape = (): Promise<string> => {
    const next = queue.then(async () => {
      if (source) metrics.update(await source.getSnapshot());
      return metrics.render();
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const server = createServer((req, res) => {
    const url = admitRequest(req, res, token, false);
    if (!url) return;
    if (url.pathname === '/') {
      sendText(res, 200, 'InvenTag Prometheus exporter: scrape /metrics');
      return;
    }
    if (url.pathname !== '/metrics') {
      sendText(res, 404, 'not found: the metrics are at /metrics');
      return;
    }
    scrape().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        options.onError?.(err);
        sendText(res, 503, 'metrics unavailable: the compliance snapshot could not be read');
      },
    );
  });
  const port = await listen(server, requested, host);
  return { host, port, url: baseUrl(host, port), close: () => closeServer(server) };
}
