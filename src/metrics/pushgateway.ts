import { PushgatewayError } from './errors.js';

export interface PushOptions {
  /** The Pushgateway base URL, e.g. `http://pushgateway:9091`; `user:password@` becomes Basic auth. */
  url: string;
  /** @default 'inventag' */
  job?: string;
  /** Extra grouping labels, e.g. `{ instance: 'ci-runner-3' }`. */
  grouping?: Record<string, string>;
  /** @default 10000 */
  timeoutMs?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A URL with the credentials and query removed, safe to print. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function pathSegment(name: string, value: string, redacted: string): string {
  if (!LABEL_NAME.test(name)) {
    throw new PushgatewayError(
      'PUSHGATEWAY_BAD_URL',
      `grouping label name ${JSON.stringify(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      redacted,
    );
  }
  // The Pushgateway's own encoding for values a path cannot carry plainly.
  if (value === '' || value.includes('/'))
    return `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

/**
 * Pushes Prometheus text to a Pushgateway, replacing the job's previous
 * group (HTTP PUT): a short CLI run leaves its last numbers for Prometheus to
 * scrape after it has exited.
 *
 * @throws {PushgatewayError} `PUSHGATEWAY_BAD_URL`, `PUSHGATEWAY_UNREACHABLE`
 * (connection refused, unknown host, timeout) or `PUSHGATEWAY_REJECTED`
 * (a non-2xx answer). Messages never contain the URL's credentials.
 *
 * @example
 * await pushToGateway(await metrics.render(), { url: 'http://pushgateway:9091', grouping: { instance: 'nightly' } });
 */
export async function pushToGateway(text: string, options: PushOptions): Promise<void> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new PushgatewayError(
      'PUSHGATEWAY_BAD_URL',
      'the Pushgateway URL is not a valid URL (expected http://host:port)',
      '(invalid URL)',
    );
  }
  const redacted = redact(url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PushgatewayError(
      'PUSHGATEWAY_BAD_URL',
      `the Pushgateway URL ${redacted} must use http or https`,
      redacted,
    );
  }
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
  }
  let path = pathSegment('job', options.job ?? 'inventag', redacted);
  for (const [name, value] of Object.entries(options.grouping ?? {})) path += pathSegment(name, value, redacted);
  const target = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}/metrics${path}`;

  let response: Response;
  try {
    response = await fetch(target, {
      method: 'PUT',
      headers,
      body: text,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    const reason =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs ?? 10_000} ms`
        : (cause?.code ?? (err as Error).message);
    throw new PushgatewayError(
      'PUSHGATEWAY_UNREACHABLE',
      `cannot reach the Pushgateway at ${redacted}: ${reason}`,
      redacted,
      undefined,
      { cause: err },
    );
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).trim().slice(0, 200);
    throw new PushgatewayError(
      'PUSHGATEWAY_REJECTED',
      `the Pushgateway at ${redacted} refused the push: HTTP ${response.status}${body ? ` (${body})` : ''}`,
      redacted,
      response.status,
    );
  }
  await response.body?.cancel();
}
