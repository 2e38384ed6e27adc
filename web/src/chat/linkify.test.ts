import { describe, expect, it } from 'vitest';
import { linkify, safeUrl } from './linkify';

const links = (t: string) => linkify(t).filter((s) => s.type !== 'text');

describe('linkify', () => {
  it('finds http(s) links and trims trailing punctuation', () => {
    expect(links('see https://example.com/a?b=1, ok')).toEqual([
      { type: 'url', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    ]);
    expect(links('(at http://plaza.test/x).')[0]).toMatchObject({ text: 'http://plaza.test/x' });
    expect(links('https://en.wikipedia.org/wiki/Tea_(drink) is good')[0]).toMatchObject({
      text: 'https://en.wikipedia.org/wiki/Tea_(drink)',
    });
  });

  it('gives bare www. links https', () => {
    expect(links('go to www.example.org!')[0]).toMatchObject({ text: 'www.example.org', href: 'https://www.example.org/' });
  });

  it('finds e-mail addresses and phone numbers', () => {
    expect(links('mail ann@example.com.')).toEqual([{ type: 'email', text: 'ann@example.com', href: 'mailto:ann@example.com' }]);
    expect(links('call +1 415-555-0100 now')).toEqual([{ type: 'phone', text: '+1 415-555-0100', href: 'tel:+14155550100' }]);
    expect(links('call 13812345678')[0]).toMatchObject({ href: 'tel:13812345678' });
  });

  it('leaves short numbers, dates and amounts alone', () => {
    expect(links('I owe you 25.50 on 12/03, room 1204')).toEqual([]);
  });

  it('keeps the text whole', () => {
    const t = 'a https://x.example/ b ann@example.com c +86 138 1234 5678 d';
    expect(linkify(t).map((s) => s.text).join('')).toBe(t);
  });

  it('never makes a dangerous link', () => {
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'https://evil.example/"><img src=x onerror=alert(1)>',
      'http://user:pass@evil.example/',
      'https:javascript:alert(1)',
      'www.javascript:alert(1)',
      'jav&#x61;script:alert(1)',
      'java\u0000script:alert(1)',
      '<a href="javascript:alert(1)">x</a>',
      'file:///etc/passwd',
      'mailto:x@example.com?body=<script>',
    ];
    for (const t of hostile) {
      for (const s of linkify(t)) {
        if (s.type === 'text') continue;
        expect(s.href).toMatch(/^(https?:\/\/|mailto:|tel:\+?\d+$)/);
        expect(s.href.toLowerCase()).not.toContain('javascript:');
        expect(s.href).not.toMatch(/[<>"\s]/);
      }
      expect(linkify(t).map((s) => s.text).join('')).toBe(t);
    }
  });

  it('handles long input whole', () => {
    const t = 'a'.repeat(20000) + ' https://x.example ' + '1-'.repeat(5000);
    expect(linkify(t).map((s) => s.text).join('')).toBe(t);
  });
});

describe('safeUrl', () => {
  it('accepts only http and https', () => {
    expect(safeUrl('https://a.example/')).toBe('https://a.example/');
    expect(safeUrl('javascript:alert(1)')).toBe('');
    expect(safeUrl('data:text/html,hi')).toBe('');
    expect(safeUrl('ftp://a.example/')).toBe('');
  });
});
