import { describe, expect, it } from 'vitest';

// An @media block left open swallows every rule after it (the screening
// review card's styles once applied on phones only): each stylesheet's
// braces, outside comments and strings, must close at the top level.
// Vitest stubs CSS imports, so the files are read from disk (Node's fs,
// reached without @types/node).
interface FS {
  readdirSync(dir: URL): string[];
  readFileSync(file: URL, enc: 'utf8'): string;
}
const fs = (globalThis as unknown as { process: { getBuiltinModule(m: string): FS } }).process.getBuiltinModule('node:fs');
const dir = new URL('./', import.meta.url);
const sheets: Record<string, string> = Object.fromEntries(
  fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.css'))
    .map((n) => [n, fs.readFileSync(new URL(n, dir), 'utf8')]),
);

describe('stylesheets', () => {
  it('are all read', () => {
    expect(Object.keys(sheets).length).toBeGreaterThan(5);
    expect(sheets['admin.css'].length).toBeGreaterThan(1000);
  });
  for (const [name, text] of Object.entries(sheets)) {
    it(name + ' closes every block', () => {
      const css = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
      let depth = 0;
      let worst = 0;
      for (const ch of css) {
        if (ch === '{') depth++;
        else if (ch === '}') worst = Math.min(worst, --depth);
      }
      expect(worst).toBe(0);
      expect(depth).toBe(0);
    });
  }
});
