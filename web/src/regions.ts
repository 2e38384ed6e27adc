import { useEffect, useState } from 'preact/hooks';
import { api, type Region } from './api';
import { collator, locale } from './i18n';

// Regions rarely change: fetch once per page load and share. The server's
// list gives the codes (and English names, the fallback); the names people
// read come from Intl in their language (NZ → 新西兰 / New Zealand).
let cache: Promise<Region[]> | null = null;

function displayNames(): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([locale.get()], { type: 'region', fallback: 'none' });
  } catch {
    return null;
  }
}

/** The regions with names in the current language, sorted as it sorts them. */
export function localizeRegions(items: Region[]): Region[] {
  const dn = displayNames();
  const c = collator();
  return items
    .map((r) => ({ code: r.code, name: dn?.of(r.code) || r.name }))
    .sort((a, b) => c.compare(a.name, b.name));
}

export function loadRegions(): Promise<Region[]> {
  if (!cache) {
    cache = api.regions().then(
      (r) => r.items ?? [],
      (err) => {
        cache = null;
        throw err;
      },
    );
  }
  return cache;
}

export function useRegions(): Region[] | null {
  const [regions, setRegions] = useState<Region[] | null>(null);
  useEffect(() => {
    let live = true;
    loadRegions().then(
      (r) => live && setRegions(localizeRegions(r)),
      () => live && setRegions([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return regions;
}

/** A region's name in the current language (the server's English if Intl has none). */
export function regionName(regions: Region[] | null, code: string): string {
  try {
    const name = displayNames()?.of(code);
    if (name) return name;
  } catch {
    // not a valid region code: fall through
  }
  return regions?.find((x) => x.code === code)?.name ?? code;
}

/** Region code from the browser language (e.g. "en-GB" → "GB"), else "US". */
export function guessRegion(regions: Region[]): string {
  const langs = [navigator.language, ...(navigator.languages ?? [])].filter(Boolean);
  for (const lang of langs) {
    let code = '';
    try {
      code = new Intl.Locale(lang).region ?? '';
    } catch {
      const m = /[-_]([A-Za-z]{2})(?:[-_]|$)/.exec(lang);
      code = m ? m[1] : '';
    }
    code = code.toUpperCase();
    if (code && regions.some((r) => r.code === code)) return code;
  }
  return regions.some((r) => r.code === 'US') || regions.length === 0 ? 'US' : regions[0].code;
}
