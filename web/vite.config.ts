import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The Go server embeds dist/ (//go:embed all:dist) and serves it at "/",
// falling back to index.html for client-side routes such as /contacts.
export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
  },
  server: {
    // `npm run dev` talks to a locally running `plaza serve`.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8091', changeOrigin: false, ws: true },
    },
  },
});
