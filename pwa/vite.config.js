import { defineConfig } from 'vite';

// The app bundle; scripts/build.mjs builds it, then the icons and the service worker (a classic script, so
// that every browser with service workers can run it).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
});
