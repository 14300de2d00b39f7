/**
 * Build of the Connect web app (SPEC §7): Preact through Vite's built-in JSX transform (no
 * plugin). Served by Tortie under /connect from `connect/dist`; no third-party assets, no inline
 * script or style (the server's Content-Security-Policy allows only its own origin).
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/connect/',
  publicDir: here('public'),
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: { input: { index: here('index.html'), demo: here('demo.html') } },
  },
});
