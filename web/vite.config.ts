import { defineConfig } from 'vite';

// Built with `vite build web`, so web/ is the root and web/dist the output.
// The console is served by the API server under /console/ (src/http/console.ts),
// so every asset URL starts there. Everything is bundled: nothing comes from a CDN.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing as data: URLs; the page's CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
  },
});
