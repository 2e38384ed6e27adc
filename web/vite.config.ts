import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

// precompress writes NAME.br and NAME.gz beside every text file of dist/
// (when smaller), which the Go server sends by Accept-Encoding (web.go).
function precompress(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return {
    name: 'plaza-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk('dist')) {
        if (!/\.(js|css|html|svg|json|txt|webmanifest)$/.test(file)) continue;
        const body = readFileSync(file);
        const br = brotliCompressSync(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        });
        const gz = gzipSync(body, { level: 9 });
        if (br.length < body.length) writeFileSync(file + '.br', br);
        if (gz.length < body.length) writeFileSync(file + '.gz', gz);
      }
    },
  };
}

// The Go server embeds dist/ (//go:embed all:dist) and serves it at "/",
// falling back to index.html for client-side routes such as /contacts.
export default defineConfig({
  base: '/',
  plugins: [preact(), precompress()],
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
