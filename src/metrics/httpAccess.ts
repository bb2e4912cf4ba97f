/**
 * Who may reach the local HTTP servers (`/metrics` and the dashboard). Both
 * show what the automation did in production, so by default they listen on
 * loopback only; listening anywhere else needs a bearer token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BindError } from './errors.js';

/** Shortest token accepted: long enough that guessing it over HTTP is hopeless. */
export const MIN_TOKEN_LENGTH = 16;

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Refuses a non-loopback bind without a token, and a token too weak to protect one.
 * @throws {BindError} code `BIND_REFUSED`
 */
export function assertBindAllowed(host: string, port: number, token: string | undefined): void {
  if (token !== undefined) {
    if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
      throw new BindError(
        'BIND_REFUSED',
        `the access token must be at least ${MIN_TOKEN_LENGTH} printable ASCII characters without spaces`,
        { host, port },
      );
    }
    return;
  }
  if (!isLoopbackHost(host)) {
    throw new BindError(
      'BIND_REFUSED',
      `refusing to listen on ${host}: it is not a loopback address, so anyone who can reach it would see this account's compliance data; pass a token (--token or INVENTAG_TOKEN) or listen on 127.0.0.1`,
      { host, port },
    );
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time comparison: the hashes have equal length whatever was presented. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

/** The token a request carries: `Authorization: Bearer <token>`, or `?token=` where the caller allows it. */
export function presentedToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return allowQuery ? (url.searchParams.get('token') ?? undefined) : undefined;
}

/**
 * Without a token the loopback bind is the only protection, and a web page
 * could still reach it through DNS rebinding (a hostile name resolving to
 * 127.0.0.1); such requests carry the hostile name in `Host`, so only loopback
 * names are served.
 */
export function hostHeaderIsLoopback(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}

/**
 * Starts listening and resolves with the bound port (useful with port 0).
 * @throws {BindError} `PORT_IN_USE` or `LISTEN_FAILED`, naming the address
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = { host, port };
      if (err.code === 'EADDRINUSE') {
        reject(
          new BindError('PORT_IN_USE', `port ${port} on ${host} is already in use; choose another with --port`, where, {
            cause: err,
          }),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new BindError(
            'LISTEN_FAILED',
            `not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges)`,
            where,
            { cause: err },
          ),
        );
      } else {
        reject(
          new BindError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, where, {
            cause: err,
          }),
        );
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** `http://host:port` with IPv6 hosts bracketed. */
export function baseUrl(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Closes a server and the keep-alive connections a browser holds open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** A started server: where it listens, and how to stop it. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, without any token. */
  readonly url: string;
  close(): Promise<void>;
}

/** Plain-text response with the headers every InvenTag endpoint sends. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(`${text}\n`);
}

/**
 * Applies the access rules to one request. Returns its parsed URL when it may
 * proceed; otherwise the refusal (400, 401, 403, 405) has been sent.
 * `allowQueryToken` lets a browser's first page load carry `?token=`.
 */
export function admitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
  allowQueryToken: boolean,
): URL | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    sendText(res, 400, 'bad request URL');
    return undefined;
  }
  if (token !== undefined) {
    if (!tokenMatches(presentedToken(req, url, allowQueryToken), token)) {
      sendText(res, 401, 'unauthorized: this server needs its access token (Authorization: Bearer <token>)', {
        'WWW-Authenticate': 'Bearer realm="inventag"',
      });
      return undefined;
    }
  } else if (!hostHeaderIsLoopback(req)) {
    sendText(res, 403, 'forbidden: without a token this server answers only requests addressed to a loopback name');
    return undefined;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed: this server is read-only', { Allow: 'GET, HEAD' });
    return undefined;
  }
  return url;
}
