// Light or dark: chosen in Me → Settings (Light, Dark or System), saved on
// this device; System follows prefers-color-scheme, live. The resolved
// scheme is data-theme on <html> (dark.css keys off it) and its
// color-scheme, so form controls and scrollbars match.
import { createStore, useStore } from '../store';

export type ThemeChoice = 'light' | 'dark' | 'system';
export type Scheme = 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['light', 'dark', 'system'];
const STORAGE_KEY = 'plaza.theme';

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return (THEME_CHOICES as readonly string[]).includes(v ?? '') ? (v as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

/** The choice made on this device ('system' when none). */
export const themeChoice = createStore<ThemeChoice>(stored());

/** The scheme a choice shows now. */
export function resolveScheme(choice: ThemeChoice, systemDark = media?.matches ?? false): Scheme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

function apply(): void {
  if (typeof document === 'undefined') return;
  const scheme = resolveScheme(themeChoice.get());
  const root = document.documentElement;
  root.dataset.theme = scheme;
  root.style.colorScheme = scheme;
  const meta = document.querySelector<HTMLMetaElement>('meta[name="theme-color"]');
  if (meta) meta.content = scheme === 'dark' ? '#111111' : '#ededed';
}

/** Chooses light, dark or the system's scheme, saved on this device. */
export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // private mode: the choice lasts until the tab closes
  }
  themeChoice.set(choice);
  apply();
}

/** The current choice, re-rendering the caller when it changes. */
export function useTheme(): ThemeChoice {
  return useStore(themeChoice);
}

media?.addEventListener('change', apply);
// Another tab chose: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === STORAGE_KEY) {
      themeChoice.set(stored());
      apply();
    }
  });
}
apply();
