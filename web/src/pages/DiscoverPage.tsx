import type { User } from '../api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { Page } from '../components/Page';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { ScanIcon } from '../qr/icons';
import { Avatar } from '../components/Avatar';
import { Spinner } from '../components/Spinner';
import { miniApi, type MiniApp } from '../miniapp/api';
import { recentApps } from '../miniapp/frame';
import { Link } from '../router';
import { InfoIcon, LiveIcon } from '../components/Icons';
import { NoticeBanners, useNotices } from '../components/NoticeBanners';
import { useTrustEpoch } from '../trust/live';
import { noticeActive } from '../trust/format';
import { hasMessage, t } from '../i18n';

const SEARCH_DEBOUNCE_MS = 250;

/** Directory categories; the server matches the exact name. "" is All. */
const CATEGORIES = ['', 'Shopping', 'Food', 'Games', 'Travel', 'Tools'];

/** A directory category in the reader's language (the server's name when it is not one we know). */
export function categoryLabel(c: string): string {
  if (!c) return t('discover.category.all');
  const key = 'discover.category.' + c;
  return hasMessage(key) ? t(key) : c;
}

export function DiscoverPage({ user }: { user: User }) {
  const [recentAll] = useState(() => recentApps(user.username));
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [items, setItems] = useState<MiniApp[] | null>(null);
  const [error, setError] = useState('');
  const notices = useNotices().filter((n) => n.target_type !== 'user');
  // An app withheld from the caller's region leaves "Recently used" too.
  const withheld = (appid: string) =>
    notices.some((n) => n.target_type === 'app' && n.target_id === appid && n.scopes.includes('distribution') && noticeActive(n, new Date()));
  const recent = recentAll.filter((a) => !withheld(a.appid));

  // A policy that concerns the caller took effect, expired or was cancelled:
  // ask for the directory again (the server applies policies as of now).
  const epoch = useTrustEpoch();

  const shownCategory = useRef(category);
  const shownEpoch = useRef(epoch);

  // Directory search: typing is debounced, a category or policy change applies at once, and a newer query aborts the older one.
  useEffect(() => {
    const ctl = new AbortController();
    const now = items === null || shownCategory.current !== category || shownEpoch.current !== epoch;
    shownCategory.current = category;
    shownEpoch.current = epoch;
    const timer = window.setTimeout(
      () => {
        miniApi.directory(q.trim(), category, ctl.signal).then(
          (r) => {
            setItems(r.items ?? []);
            setError('');
          },
          (err) => {
            if (err instanceof DOMException && err.name === 'AbortError') return;
            setError(errorMessage(err));
          },
        );
      },
      now ? 0 : SEARCH_DEBOUNCE_MS,
    );
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [q, category, epoch]);

  function pickCategory(c: string) {
    if (c === category) return;
    setCategory(c);
    setItems(null);
    setError('');
  }

  const cat = category ? categoryLabel(category) : '';
  const none = q.trim()
    ? category
      ? t('discover.none_match_in', { category: cat, q: q.trim() })
      : t('discover.none_match', { q: q.trim() })
    : category
      ? t('discover.none_in', { category: cat })
      : t('discover.none');

  return (
    <Page title={t('discover.title')}>
      <NoticeBanners items={notices} id="discover-notices" />
      <CellGroup>
        <Cell id="discover-scan" href="/scan" media={<CellIcon color="blue"><ScanIcon size={20} /></CellIcon>} title={t('discover.scan')} chevron />
        <Cell id="discover-live" href="/live" media={<CellIcon color="red"><LiveIcon size={20} /></CellIcon>} title={t('live.title')} subtitle={t('live.discover_sub')} chevron />
      </CellGroup>
      <div class="miniapp-search-bar">
        <input
          type="search"
          id="miniapp-search"
          class="field-input miniapp-search"
          placeholder={t('discover.search')}
          aria-label={t('discover.search')}
          autocomplete="off"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </div>
      {recent.length > 0 && q.trim() === '' && (
        <CellGroup title={t('discover.recent')} class="miniapp-recent">
          {recent.map((a) => (
            <Cell
              key={a.appid}
              href={'/app/' + encodeURIComponent(a.appid)}
              data-appid={a.appid}
              data-recent="1"
              media={<Avatar username={a.appid} name={a.name} />}
              title={a.name}
              chevron
            />
          ))}
        </CellGroup>
      )}
      <div class="miniapp-categories" role="group" aria-label={t('discover.categories')}>
        {CATEGORIES.map((c) => (
          <button
            type="button"
            key={c || 'all'}
            id={'category-' + (c || 'all').toLowerCase()}
            class={'miniapp-category' + (c === category ? ' on' : '')}
            aria-pressed={c === category}
            onClick={() => pickCategory(c)}
          >
            {categoryLabel(c)}
          </button>
        ))}
      </div>
      <CellGroup title={category ? categoryLabel(category) : t('discover.directory')} class="miniapp-directory">
        {items === null && !error && <Spinner label={t('discover.loading')} />}
        {error && <p class="form-error miniapp-directory-error">{error}</p>}
        {items !== null && items.length === 0 && (
          <div class="cell miniapp-none" id="miniapp-none">
            {none}
          </div>
        )}
        {items?.map((a) => (
          <div class="miniapp-dir-row" key={a.appid}>
            <Cell
              href={'/app/' + encodeURIComponent(a.appid)}
              data-appid={a.appid}
              media={<Avatar username={a.appid} name={a.name} />}
              title={a.name}
              subtitle={a.description || undefined}
              extra={<span class="app-info-slot" aria-hidden="true" />}
              chevron
            />
            <Link
              href={'/discover/app/' + encodeURIComponent(a.appid)}
              class="app-info"
              data-info-appid={a.appid}
              aria-label={t('discover.about_app', { name: a.name })}
              title={t('discover.about_title')}
            >
              <InfoIcon size={22} />
            </Link>
          </div>
        ))}
      </CellGroup>
      <p class="page-note">{t('discover.note')}</p>
    </Page>
  );
}
