/**
 * Vite config of the portal: built into web/dist, which `cutover serve` serves (src/api/portal.ts).
 * `npx vite --config web/vite.config.ts` runs a dev server that proxies the API to CUTOVER_URL
 * (default http://127.0.0.1:8080), so the app talks to a running `cutover serve`.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env['CUTOVER_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': { target: api, changeOrigin: false }, '/docs': api, '/openapi.json': api, '/healthz': api } },
});
