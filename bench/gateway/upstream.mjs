// The bench's upstream, in a process of its own: answers every request with an
// STS GetCallerIdentity result, and GET /big/... with 1 GiB of bytes.
// Forked by bench/gateway.bench.mjs; sends { port } once listening.
import { createServer } from 'node:http';

const IDENTITY =
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
  '<Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDABENCH</UserId><Account>123456789012</Account>' +
  '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
const IDENTITY_HEADERS = { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(IDENTITY)) };
const GIB = 2 ** 30;
const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET' && req.url?.startsWith('/big/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(GIB) });
      let sent = 0;
      const write = () => {
        while (sent < GIB) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
      return;
    }
    res.writeHead(200, IDENTITY_HEADERS);
    res.end(IDENTITY);
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
