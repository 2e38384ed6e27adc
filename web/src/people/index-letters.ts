// Contacts A–Z, as WeChat files them: a Latin name under its first letter
// with accents folded (Émile → E), a Chinese name under the first letter of
// its pinyin, read as a surname (张三 → Z, 曾小贤 → Z, 单田芳 → S), and
// anything else under "#", last. Pure: the pinyin reader is passed in, so a
// user without Chinese contacts never loads it (see pinyin.ts).

/** The section for names that start with neither a Latin letter nor a Han character. */
export const OTHER = '#';

/** Every letter of the side index, in order. */
export const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', OTHER];

/** Reads Chinese names as pinyin, surname first (pinyin-pro behind it). */
export interface PinyinReader {
  /** The first letters of each syllable, lower case: 曾小贤 → "zxx". */
  initials(name: string): string;
  /** The toneless syllables: 曾小贤 → "zeng xiao xian" (sorts within a letter). */
  spell(name: string): string;
}

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

/** Whether any of the names holds a Han character (so pinyin is needed). */
export function needsPinyin(names: Iterable<string>): boolean {
  for (const n of names) if (HAN.test(n)) return true;
  return false;
}

function fold(ch: string): string {
  return ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
}

/**
 * The index letter of a name. A Han name without a reader (pinyin not
 * loaded yet) is filed under "#".
 */
export function letterOf(name: string, reader?: PinyinReader | null): string {
  const first = Array.from(name.trim())[0] ?? '';
  const latin = fold(first);
  if (/^[A-Z]$/.test(latin)) return latin;
  if (HAN.test(first) && reader) {
    const l = (reader.initials(name).trim()[0] ?? '').toUpperCase();
    if (/^[A-Z]$/.test(l)) return l;
  }
  return OTHER;
}

export interface Section<T> {
  letter: string;
  items: T[];
}

/**
 * groupByLetter files items by the index letter of nameOf(item): sections
 * A–Z then "#", each sorted by compare on the pinyin spelling of Han names
 * (so 曾小贤 "zeng…" comes before 张三 "zhang…") and the name itself.
 * tiebreak orders equal names (by username, say).
 */
export function groupByLetter<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  opts: { compare: (a: string, b: string) => number; reader?: PinyinReader | null; tiebreak?: (a: T, b: T) => number },
): Section<T>[] {
  const { compare, reader, tiebreak } = opts;
  const keyed = items.map((item) => {
    const name = nameOf(item).trim();
    const first = Array.from(name)[0] ?? '';
    const sortKey = reader && HAN.test(first) ? reader.spell(name) : name;
    return { item, name, sortKey, letter: letterOf(name, reader) };
  });
  keyed.sort(
    (a, b) => compare(a.sortKey, b.sortKey) || compare(a.name, b.name) || (tiebreak ? tiebreak(a.item, b.item) : 0),
  );
  const map = new Map<string, T[]>();
  for (const k of keyed) {
    const list = map.get(k.letter);
    if (list) list.push(k.item);
    else map.set(k.letter, [k.item]);
  }
  return LETTERS.filter((l) => map.has(l)).map((letter) => ({ letter, items: map.get(letter)! }));
}
