import { t, type MessageKey } from '../i18n';
import { CellGroup } from '../components/Cell';
import { CheckIcon } from '../components/Icons';
import { setTheme, useTheme, THEME_CHOICES, type ThemeChoice } from './theme';

const LABEL: Record<ThemeChoice, MessageKey> = {
  light: 'ui.theme.light',
  dark: 'ui.theme.dark',
  system: 'ui.theme.system',
};

/** Me → Settings → Appearance: Light, Dark or System (the default). */
export function ThemeSettings() {
  const choice = useTheme();
  return (
    <>
      <CellGroup title={t('ui.theme.title')} class="theme-settings">
        <div role="radiogroup" aria-label={t('ui.theme.title')} id="theme-settings">
          {THEME_CHOICES.map((c) => (
            <button
              type="button"
              key={c}
              role="radio"
              aria-checked={choice === c}
              id={'theme-' + c}
              class="cell cell-link theme-option"
              onClick={() => setTheme(c)}
            >
              <span class="cell-main">
                <span class="cell-title">{t(LABEL[c])}</span>
              </span>
              {choice === c && <CheckIcon class="theme-check" size={20} />}
            </button>
          ))}
        </div>
      </CellGroup>
      <p class="page-note theme-hint">{t('ui.theme.hint')}</p>
    </>
  );
}
