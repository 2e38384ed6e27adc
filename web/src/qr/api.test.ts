import { describe, expect, it } from 'vitest';
import { foreignContent } from './api';

describe('foreignContent', () => {
  it('offers web links only', () => {
    expect(foreignContent('https://example.org/menu')).toEqual({ kind: 'link', href: 'https://example.org/menu' });
    expect(foreignContent('  HTTP://Example.org ')).toEqual({ kind: 'link', href: 'http://example.org/' });
  });
  it('never makes a link of other schemes or text', () => {
    for (const t of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'weixin://wxpay/bizpayurl?pr=1', 'hello', 'http://', 'WIFI:S:x;;']) {
      expect(foreignContent(t)).toEqual({ kind: 'text' });
    }
  });
});
