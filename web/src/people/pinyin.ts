// pinyin-pro is large (≈300 KB): it is fetched only when some contact has a
// Chinese name, the first time one is seen, and shared from then on.
import { useEffect, useState } from 'preact/hooks';
import { needsPinyin, type PinyinReader } from './index-letters';

let loaded: PinyinReader | null = null;
let loading: Promise<PinyinReader> | null = null;

/** Loads the reader (once); rejects if the chunk cannot be fetched. */
export function loadPinyin(): Promise<PinyinReader> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= import('./pinyin-reader').then(
    (m) => {
      loaded = m.reader;
      return loaded;
    },
    (err) => {
      loading = null; // a later visit tries again
      throw err;
    },
  );
  return loading;
}

/**
 * The pinyin reader for these names: null when none is Chinese (nothing is
 * fetched), undefined while it loads, and the reader once it has.
 */
export function usePinyin(names: string[] | null): PinyinReader | null | undefined {
  const needed = names !== null && needsPinyin(names);
  const [reader, setReader] = useState<PinyinReader | null>(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!needed || reader || failed) return undefined;
    let live = true;
    loadPinyin().then(
      (r) => live && setReader(r),
      () => live && setFailed(true), // Chinese names stay under "#" until the next visit
    );
    return () => {
      live = false;
    };
  }, [needed, reader, failed]);
  if (!needed || failed) return null;
  return reader ?? undefined;
}
