// A loopback port nobody listens on right now: bind port 0, read the port the kernel chose, close. Another process
// could take it before the caller binds it; on a test machine that race is rare enough.
import net from 'node:net';

export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
