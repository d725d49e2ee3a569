// The demo app's HTTP server: site/index.html on GET /, 200 on GET /healthz (HAProxy's check), on 0.0.0.0:<port>.
// It finishes the requests in flight when stopped (SIGTERM), as an app behind a draining balancer should.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';

const [port = '8080', siteDir] = process.argv.slice(2);
const server = createServer(async (req, res) => {
  if (req.url === '/healthz') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  try {
    const page = await readFile(join(siteDir, 'index.html'), 'utf8');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.replace('{{host}}', hostname()));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot read the page: ${err.message}\n`);
  }
});
server.listen(Number(port), '0.0.0.0', () => console.log(`demo-app: serving ${siteDir} on 0.0.0.0:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
