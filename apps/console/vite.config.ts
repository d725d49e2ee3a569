// The console is a static SPA: `vite build` writes dist/, which the API serves at / (same origin, so the
// session cookie and relative URLs just work). In dev, Vite proxies the API paths to a local API on :3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const API = process.env.DROVER_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  server: {
    proxy: {
      '/v1': { target: API, changeOrigin: false },
      '/agent': { target: API, changeOrigin: false },
      '/docs': { target: API, changeOrigin: false },
    },
  },
  // One bundle for the whole console (about 180 KB gzipped, most of it React and the zod contracts it validates with).
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  test: {
    name: 'console',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    setupFiles: ['test-support/setup.ts'],
  },
});
