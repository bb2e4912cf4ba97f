/**
 * A loopback forward proxy that speaks HTTP CONNECT, as corporate proxies do
 * for HTTPS. It counts the tunnels it opened and the targets they went to, so
 * a test can prove a client really went through it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: the value for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string;
  /** Tunnels opened so far. */
  readonly tunnels: number;
  /** `host:port` of each tunnel, in order. */
  readonly targets: readonly string[];
  /** Plain (non-CONNECT) proxy requests, which this proxy refuses with 405. */
  readonly plainRequests: number;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  let plainRequests = 0;
  const server = createServer((_req, res) => {
    plainRequests++;
    res.writeHead(405).end('only CONNECT');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    targets.push(target);
    sockets.add(client);
    const upstream = connect(port, host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tunnels() {
      return targets.length;
    },
    targets,
    get plainRequests() {
      return plainRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
