// The loopback AWS server in a process of its own, as AWS is for users: forked by
// bench/guard.bench.mjs; sends { url } once listening, then answers each
// { count: filter } message with { count } (how many requests matched).
import { loadAwsServer } from '../awsServer.mjs';

const { mod, cleanup } = await loadAwsServer();
const server = await mod.startAwsServer();
process.on('message', (m) => process.send({ count: server.count(m.count) }));
process.on('disconnect', () => {
  void server.close().finally(() => {
    cleanup();
    process.exit(0);
  });
});
process.send({ url: server.url });
