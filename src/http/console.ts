import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The operator console is a static page built by Vite into web/dist (by
 * `npm run build`, which `npm ci` runs through `prepare`). From src/http and
 * from dist/http alike, web/dist is two folders up.
 */
const CONSOLE_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The page talks only to its own origin and loads nothing from elsewhere; the
// CSV download is a blob: link and the chart is inline SVG.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built console under /console/ (and /console redirects there). */
export function registerConsoleRoutes(app: FastifyInstance, root: string = CONSOLE_ROOT): void {
  if (!existsSync(`${root}/index.html`)) {
    // Without the build, /console is an ordinary JSON 404; the log says why.
    app.log.warn({ root }, 'operator console not built: run npm run build:web');
    return;
  }
  app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    index: 'index.html',
    decorateReply: false,
    wildcard: true,
    dotfiles: 'deny',
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      // Vite names every asset after its content hash, so only the page itself must be revalidated.
      const hashed = path.includes('/assets/');
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // The page's assets are relative to /console/, so the bare path moves there.
  app.get('/console', (_request, reply) => reply.redirect('/console/', 301));
  // Browsers ask every origin for /favicon.ico (on /docs, on GET /): the console's icon, not a 404 in the log.
  app.get('/favicon.ico', (_request, reply) => reply.redirect('/console/favicon.svg', 302));
}
