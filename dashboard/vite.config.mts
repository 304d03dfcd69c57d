import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `vite build` writes the static dashboard to `dist/` (relative asset paths, so it can be served
 * under any path). `vite` (dev server) proxies the two APIs to where they run locally, and the
 * model loop to the local plant.
 */
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/api/v1/compliance': process.env.UNS_DASHBOARD_COMPLIANCE_API ?? 'http://127.0.0.1:9464',
      '/api/v1/anomalies': process.env.UNS_DASHBOARD_ANOMALY_API ?? 'http://127.0.0.1:9465',
      '/api/v1/models': process.env.UNS_DASHBOARD_MODELS_API ?? 'http://127.0.0.1:8080',
    },
  },
});
