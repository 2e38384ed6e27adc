// The pinyin reader over pinyin-pro. Only ever imported dynamically (by
// pinyin.ts), so that pinyin-pro lands in its own chunk, pinyin-reader-*.js,
// fetched for people who have Chinese contacts.
import { pinyin } from 'pinyin-pro';
import type { PinyinReader } from './index-letters';

// surname: 'head' reads the name's first characters as a surname (曾 zēng,
// 单 shàn, 解 xiè), and only those.
export const reader: PinyinReader = {
  initials: (name) => pinyin(name, { surname: 'head', pattern: 'first', toneType: 'none', type: 'array' }).join(''),
  spell: (name) => pinyin(name, { surname: 'head', toneType: 'none' }),
};
