// The Prometheus listener: /metrics on an address of its own (METRICS_ADDRESS), so that the
// public port never shows it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../libraries/metrics.ts';

export async function startMetricsListener(metrics: Metrics, address: { host: string; port: number }) {
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    try {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
      ? new Error(`METRICS_ADDRESS ${address.host}:${address.port} is in use; choose another, or off`) : error));
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
