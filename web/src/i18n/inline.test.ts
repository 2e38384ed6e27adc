// No string left inline: every sentence a person reads must come from a
// catalogue (messages/*.ts). This walks every source file with the
// TypeScript compiler and reports
//   - JSX text with letters or CJK characters,
//   - string literals in attributes people read (placeholder, title,
//     aria-label, alt, label, …),
//   - string literals that look like sentences or hold CJK characters,
// outside src/i18n/messages. A line may opt out with a comment
// `i18n-ignore` (for example a brand name or a code shown as a code).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const READ_ATTRS = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext']);
const LETTERS = /[A-Za-z\u3400-\u9fff]/;
const CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
// "Send money", "Try again.", "Couldn't load": a capital, a word, a space, more words.
const SENTENCE = /^[A-Z][a-z’']+(?:[ ,][A-Za-z’'…,.!?()-]+)+[.!?…]?$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'messages' && dir.endsWith('i18n') ? [] : files(p);
    return /\.(ts|tsx)$/.test(n) && !/\.test\.tsx?$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });
}

export function findInline(path: string, text: string): string[] {
  const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = text.split('\n');
  const out: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = src.getLineAndCharacterOfPosition(node.getStart(src));
    const here = lines[line] ?? '';
    const above = lines[line - 1] ?? '';
    if (here.includes('i18n-ignore') || /^\s*\/\/.*i18n-ignore/.test(above)) return;
    out.push(`${relative(root, path)}:${line + 1}: ${what}`);
  };
  const inReadAttr = (node: ts.Node): boolean => {
    for (let p = node.parent; p; p = p.parent) {
      if (ts.isJsxAttribute(p)) return READ_ATTRS.has(p.name.getText(src));
      if (ts.isJsxElement(p) || ts.isJsxSelfClosingElement(p) || ts.isBlock(p)) return false;
    }
    return false;
  };
  const isKeyLike = (node: ts.Node): boolean => {
    const p = node.parent;
    // Object keys, imports, t('key') arguments, comparisons and types are not prose.
    if (ts.isPropertyAssignment(p) && p.name === node) return true;
    if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isLiteralTypeNode(p)) return true;
    if (ts.isCallExpression(p) && /^(t|tx|hasMessage|errorText)$/.test(p.expression.getText(src))) return true;
    return false;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      const s = node.getText(src).trim();
      if (s && LETTERS.test(s)) report(node, `JSX text ${JSON.stringify(s.slice(0, 40))}`);
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const s = node.text;
      if (!isKeyLike(node) && LETTERS.test(s)) {
        if (inReadAttr(node)) report(node, `attribute text ${JSON.stringify(s.slice(0, 40))}`);
        else if (CJK.test(s) || SENTENCE.test(s.trim())) report(node, `string ${JSON.stringify(s.slice(0, 40))}`);
      }
    } else if (ts.isTemplateExpression(node)) {
      const s = node.head.text + node.templateSpans.map((sp) => sp.literal.text).join(' ');
      if (inReadAttr(node) ? LETTERS.test(s) : CJK.test(s) || /[A-Za-z]{2,} [A-Za-z]{2,}/.test(s)) report(node, `template ${JSON.stringify(s.slice(0, 40))}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

describe('no string left inline', () => {
  it('finds JSX text, read attributes and sentences', () => {
    const found = findInline(
      join(root, 'x.tsx'),
      `const a = <p title="Hello">Send <b>now</b></p>;\nconst b = 'Try again later.';\nconst c = '张三';\nconst d = t('chat.send');\nconst e = 'button button-primary';\nconst f = 'Plaza'; // i18n-ignore\n`,
    );
    expect(found).toEqual([
      'x.tsx:1: attribute text "Hello"',
      'x.tsx:1: JSX text "Send"',
      'x.tsx:1: JSX text "now"',
      'x.tsx:2: string "Try again later."',
      'x.tsx:3: string "张三"',
    ]);
  });

  it('leaves no string inline in src/', () => {
    // I18N_ONLY=pages/Chats,components/chat narrows the report to some paths.
    const only = (process.env.I18N_ONLY ?? '').split(',').filter(Boolean);
    const found = files(root)
      .filter((p) => only.length === 0 || only.some((o) => relative(root, p).startsWith(o)))
      .flatMap((p) => findInline(p, readFileSync(p, 'utf8')));
    expect(found, found.slice(0, 200).join('\n') + (found.length > 200 ? `\n… and ${found.length - 200} more` : '')).toEqual([]);
  });
});
