// Builds the console into AUGUR_WEB_OUT_DIR (CMake passes ${build}/web,
// where augur looks by default), or dist/. `npm run dev` serves it with
// hot reload and sends /api to the augur at AUGUR_API_URL.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.AUGUR_WEB_OUT_DIR || 'dist',
    emptyOutDir: true,
    // Everything is a file of its own: the console loads nothing inline
    // (augur's Content-Security-Policy allows only its own files).
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: { '/api': process.env.AUGUR_API_URL || 'http://127.0.0.1:8080' },
  },
});
