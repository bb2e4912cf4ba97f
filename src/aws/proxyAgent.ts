import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/** The proxy variables the SDK itself ignores on Node; checked in upper and lower case. */
export const PROXY_ENV_VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY'] as const;

/** True when a proxy variable is set, so clients need the proxy-aware agent at all. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY'].some((name) => Boolean(env[name] || env[name.toLowerCase()]));
}

/**
 * An HTTP(S) agent that decides per request, from HTTPS_PROXY / HTTP_PROXY /
 * ALL_PROXY and NO_PROXY, whether to tunnel through the proxy (HTTP CONNECT)
 * or connect directly. The decision is per request because one client talks
 * to more than one host (S3 virtual-hosted buckets, regional endpoints).
 *
 * It is shared by the clients built from one configuration, so `destroy()`
 * (which every `client.destroy()` calls) closes idle sockets only: another
 * client's request in flight on the same agent is not cut off.
 */
export class EnvProxyAgent extends Agent {
  readonly #tunnels = new Map<string, HttpsProxyAgent<string>>();
  readonly #direct = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor() {
    super({ keepAlive: true, maxSockets: 50 });
  }

  /** The proxy URL this agent would use for `url`, or undefined for a direct connection. */
  static proxyFor(url: string): string | undefined {
    return getProxyForUrl(url) || undefined;
  }

  override connect(req: ClientRequest, options: AgentConnectOpts) {
    const scheme = options.secureEndpoint ? 'https' : 'http';
    const host = options.host ?? 'localhost';
    const target = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${options.port}${req.path}`;
    const proxy = EnvProxyAgent.proxyFor(target);
    if (!proxy) return this.#direct[scheme];
    let tunnel = this.#tunnels.get(proxy);
    if (!tunnel) {
      tunnel = new HttpsProxyAgent(proxy);
      this.#tunnels.set(proxy, tunnel);
    }
    return tunnel.connect(req, options);
  }

  /** Closes idle sockets; requests in flight finish (see the class comment). */
  override destroy(): void {
    for (const agent of [this, this.#direct.http, this.#direct.https])
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }
}
