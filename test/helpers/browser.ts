// Debian's Chromium driven by playwright-core (no browser download), and a relying party's
// callback endpoint on loopback that hands each request to whoever waits for it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface CallbackServer {
  origin: string;
  /** The next request to `path`, as a full URL. */
  next(path: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const waiting = new Map<string, (url: URL) => void>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, `http://localhost:${(server.address() as AddressInfo).port}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Relying party</title><p>Back at the app.</p>');
    waiting.get(url.pathname)?.(url);
    waiting.delete(url.pathname);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    next: (path) => new Promise((resolve) => waiting.set(path, resolve)),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
