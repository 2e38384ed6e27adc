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

// bootLast moves the app's stylesheet and script from <head> to the end of
// <body>, after the boot splash: a stylesheet in <head> holds back every
// paint until it has loaded, while one in <body> holds back only what comes
// after it, so the splash (styled by the tiny /boot.css) paints as soon as
// the HTML is in — the first paint on a slow network (perf_browser_test.go).
// The script stays after the stylesheet, so the app never renders unstyled.
function bootLast(): Plugin {
  return {
    name: 'plaza-boot-last',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const head = html.slice(0, html.indexOf('</head>'));
        const tags = [...head.matchAll(/\s*<link rel="stylesheet"[^>]*href="\/assets\/[^>]*>|\s*<script type="module"[^>]*><\/script>/g)].map((m) => m[0]);
        if (tags.length === 0) return html;
        for (const tag of tags) html = html.replace(tag, '');
        const css = tags.filter((x) => x.includes('<link'));
        const js = tags.filter((x) => x.includes('<script'));
        return html.replace('</body>', [...css, ...js].map((x) => '  ' + x.trim()).join('\n') + '\n  </body>');
      },
    },
  };
}

// The Go server embeds dist/ (//go:embed all:dist) and serves it at "/",
// falling back to index.html for client-side routes such as /contacts.
export default defineConfig({
  base: '/',
  plugins: [preact(), bootLast(), precompress()],
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
