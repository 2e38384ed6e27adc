import { describe, expect, it } from 'vitest';
import { groupByLetter, letterOf, needsPinyin, OTHER } from './index-letters';
import { reader } from './pinyin-reader';
const zh = new Intl.Collator('zh-CN-u-co-pinyin', { sensitivity: 'base', numeric: true });
const compare = (a: string, b: string) => zh.compare(a, b);

describe('letterOf', () => {
  it('files Chinese names by the pinyin of the surname', () => {
    expect(letterOf('张三', reader)).toBe('Z');
    expect(letterOf('李四', reader)).toBe('L');
    expect(letterOf('王五', reader)).toBe('W');
    // Polyphonic surnames read as surnames: 曾 zēng (not céng), 单 shàn (not dān).
    expect(letterOf('曾小贤', reader)).toBe('Z');
    expect(letterOf('单田芳', reader)).toBe('S');
  });

  it('folds accents and case of Latin names', () => {
    expect(letterOf('Émile', reader)).toBe('E');
    expect(letterOf('  bob', reader)).toBe('B');
    expect(letterOf('Øystein')).toBe(OTHER); // Ø does not decompose: no letter to file it under
  });

  it('puts the rest under #', () => {
    expect(letterOf('123', reader)).toBe(OTHER);
    expect(letterOf('😀 Sunny', reader)).toBe(OTHER);
    expect(letterOf('', reader)).toBe(OTHER);
  });

  it('files Chinese names under # until pinyin is there', () => {
    expect(letterOf('张三')).toBe(OTHER);
    expect(letterOf('张三', null)).toBe(OTHER);
  });
});

describe('needsPinyin', () => {
  it('is true only when a name has Han characters', () => {
    expect(needsPinyin(['Bob', 'Émile', '123'])).toBe(false);
    expect(needsPinyin(['Bob', 'Annie 安妮'])).toBe(true);
    expect(needsPinyin([])).toBe(false);
  });
});

describe('groupByLetter', () => {
  const names = ['张三', 'zoe', '123', 'Bob', '李四', 'Émile', '曾小贤', '单田芳', 'ann', '_x', 'Zack'];

  it('orders sections A–Z then #, and names by pinyin within one', () => {
    const got = groupByLetter(names, (n) => n, { compare, reader }).map((s) => [s.letter, s.items]);
    expect(got).toEqual([
      ['A', ['ann']],
      ['B', ['Bob']],
      ['E', ['Émile']],
      ['L', ['李四']],
      ['S', ['单田芳']],
      // zack < zeng (曾小贤) < zhang (张三) < zoe
      ['Z', ['Zack', '曾小贤', '张三', 'zoe']],
      ['#', ['_x', '123']],
    ]);
  });

  it('files Chinese names under # while pinyin loads', () => {
    const got = groupByLetter(['张三', 'Bob'], (n) => n, { compare, reader: null });
    expect(got.map((s) => s.letter)).toEqual(['B', '#']);
  });

  it('breaks ties with tiebreak', () => {
    const people = [
      { name: 'Ann', username: 'ann2' },
      { name: 'Ann', username: 'ann1' },
    ];
    const got = groupByLetter(people, (p) => p.name, { compare, reader, tiebreak: (a, b) => a.username.localeCompare(b.username) });
    expect(got[0].items.map((p) => p.username)).toEqual(['ann1', 'ann2']);
  });
});
