import { useState } from 'preact/hooks';
import { browserLocale, followBrowserLocale, LOCALES, localeChosen, setLocale, t, useLocale, type Locale } from '../../i18n';
import { Page } from '../../components/Page';
import { CellGroup } from '../../components/Cell';
import { CheckIcon } from '../../components/Icons';

const name = (l: Locale) => t(('settings.language.' + l) as 'settings.language.en');

/** Settings → Language: follow the system, or choose one (saved on this device). */
export function LanguagePage() {
  const current = useLocale();
  // Kept here too: following the system when it speaks the chosen language changes no locale, so nothing else re-renders.
  const [chosen, setChosen] = useState(localeChosen());
  const options: { id: string; label: string; hint?: string; on: boolean; pick: () => void }[] = [
    {
      id: 'system',
      label: t('settings.language.system'),
      hint: t('settings.language.system_hint', { name: name(browserLocale()) }),
      on: !chosen,
      pick: () => {
        followBrowserLocale();
        setChosen(false);
      },
    },
    ...LOCALES.map((l) => ({ id: l, label: name(l), on: chosen && current === l, pick: () => {
        setLocale(l);
        setChosen(true);
      },
    })),
  ];
  return (
    <Page title={t('settings.language.title')} back="/me/settings" backId="language-back">
      <CellGroup class="language-list">
        <div role="radiogroup" aria-label={t('settings.language.title')}>
          {options.map((o) => (
            <button
              type="button"
              key={o.id}
              role="radio"
              aria-checked={o.on}
              class="cell cell-link language-option"
              id={'language-' + o.id}
              data-locale={o.id}
              lang={o.id === 'system' ? undefined : o.id}
              onClick={() => !o.on && o.pick()}
            >
              <span class="cell-main">
                <span class="cell-title">{o.label}</span>
                {o.hint && <span class="cell-subtitle">{o.hint}</span>}
              </span>
              <span class="cell-extra">{o.on && <CheckIcon size={20} class="language-check" />}</span>
            </button>
          ))}
        </div>
      </CellGroup>
    </Page>
  );
}
