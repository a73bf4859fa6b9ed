import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { precacheServiceWorker } from './vite-plugin-sw.ts';

// `natter serve` owns /api, /socket.io, /media and /dev; in development Vite serves
// the client and forwards those to the server so the session cookie stays same-origin.
const backend = process.env.NATTER_DEV_BACKEND ?? 'http://127.0.0.1:8080';
const proxy = {
  '/api': { target: backend, changeOrigin: false },
  '/socket.io': { target: backend, ws: true, changeOrigin: false },
  '/media': { target: backend, changeOrigin: false },
  '/dev': { target: backend, changeOrigin: false },
};

export default defineConfig({
  plugins: [react(), tailwindcss(), precacheServiceWorker()],
  server: { proxy },
  // `vite preview` serves the production build (and its service worker) the same way.
  preview: { proxy },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
