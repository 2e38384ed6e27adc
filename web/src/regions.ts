import { useEffect, useState } from 'preact/hooks';
import { api, type Region } from './api';

// Regions rarely change: fetch once per page load and share.
let cache: Promise<Region[]> | null = null;

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
      (r) => live && setRegions(r),
      () => live && setRegions([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return regions;
}

export function regionName(regions: Region[] | null, code: string): string {
  const r = regions?.find((x) => x.code === code);
  if (r) return r.name;
  try {
    const dn = new Intl.DisplayNames(['en'], { type: 'region' });
    return dn.of(code) ?? code;
  } catch {
    return code;
  }
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
