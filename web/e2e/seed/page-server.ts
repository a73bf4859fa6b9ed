import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serves the seed stand-in client (./page) on its own origin, as the seed's Next.js app
 * runs on :3000 while its API lives elsewhere. It is a plain file server: the only
 * generated file is /config.js, which holds the two base URLs (the first of the two
 * changes API.md allows a seed client), and socket.io-client comes from node_modules
 * as the browser bundle, unchanged.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, 'page');
const socketIoBundle = path.resolve(here, '../../node_modules/socket.io-client/dist/socket.io.esm.min.js');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The client's own routes (Next.js pages in the seed); each answers the same shell. */
const PAGES = new Set(['/', '/login', '/verify', '/chat', '/profile']);

export interface PageServer {
  origin: string;
  close: () => Promise<void>;
}

export async function startPageServer({ apiUrl, port, host = 'localhost' }: { apiUrl: string; port: number; host?: string }): Promise<PageServer> {
  const config =
    `// The seed keeps its two service URLs in AppContext; both point at natter here.\n` +
    `export const user_service = ${JSON.stringify(apiUrl)};\n` +
    `export const chat_service = ${JSON.stringify(apiUrl)};\n`;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed');
    const file =
      url.pathname === '/config.js'
        ? null
        : url.pathname === '/vendor/socket.io.esm.min.js'
          ? socketIoBundle
          : PAGES.has(url.pathname)
            ? path.join(pageDir, 'index.html')
            : /^\/[\w-]+\.(js|css)$/.test(url.pathname)
              ? path.join(pageDir, url.pathname.slice(1))
              : undefined;
    if (file === null) return send(200, TYPES['.js'] ?? '', config);
    if (file === undefined) return send(404, 'text/plain', 'not found');
    readFile(file).then(
      (body) => send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });

  // Chromium resolves "localhost" to loopback by itself; listen on IPv4 loopback, which
  // is where it connects first.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
