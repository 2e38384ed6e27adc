import { describe, expect, it } from 'vitest';
import { hitPath, searchPath, snippetParts } from './searchFormat';

describe('snippetParts', () => {
  it('marks the highlighted code points', () => {
    expect(snippetParts('明天下午在星巴克见面', [[5, 8]])).toEqual([
      { text: '明天下午在', hit: false },
      { text: '星巴克', hit: true },
      { text: '见面', hit: false },
    ]);
  });
  it('counts code points, not UTF-16 units', () => {
    expect(snippetParts('😀 hi 😀', [[2, 4]])).toEqual([
      { text: '😀 ', hit: false },
      { text: 'hi', hit: true },
      { text: ' 😀', hit: false },
    ]);
  });
  it('ignores offsets outside the text, overlaps and empty ranges', () => {
    expect(snippetParts('abc', [[2, 9], [1, 1], [-1, 2]])).toEqual([{ text: 'abc', hit: false }]);
    expect(snippetParts('abcdef', [[0, 3], [1, 4]])).toEqual([
      { text: 'abc', hit: true },
      { text: 'def', hit: false },
    ]);
    expect(snippetParts('', [])).toEqual([]);
  });
});

describe('paths', () => {
  it('leads to the conversation at the seq', () => {
    expect(searchPath()).toBe('/search');
    expect(searchPath('c 1')).toBe('/chats/c%201/search');
    expect(hitPath({ conversation_id: 'c1', message: { seq: 7 } } as never)).toBe('/chats/c1?m=7');
  });
});
