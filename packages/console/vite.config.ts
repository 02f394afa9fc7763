import { defineConfig } from 'vite'

// The console's page, served by the api under /console/ (services/api's console-page plugin).
// Everything it loads is bundled here: the page makes no request to another origin.
export default defineConfig({
  root: 'app',
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // One stylesheet and one script for the api's Content-Security-Policy (script-src 'self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300
  }
})
