import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage, request, type MeResponse } from '../../api';
import { Spinner } from '../../components/Spinner';
import { fmtDateTime, t, tx } from '../../i18n';

// The "Watch lists" section of the console (CONTRACT.md "Screening"):
// import OFAC's SDN files or a generic CSV, search the lists, and test a
// name against them.

interface WatchEntry {
  id: string;
  name: string;
  aliases: string[];
  type: string;
  country: string;
  program: string;
  list?: string;
}

interface Watchlist {
  name: string;
  format: string;
  list_hash: string;
  entries: number;
  imported_by: string;
  imported_at: string;
}

interface ImportResult {
  list: string;
  imported: number;
  list_hash: string;
}

interface ScreenMatch {
  entry_id: string;
  name: string;
  score: number;
  program: string;
  list: string;
}

const PAGE = 25;

/** upload posts a form with upload progress (fetch cannot report it). */
async function upload(path: string, form: FormData | Blob, onProgress: (sent: number, total: number) => void): Promise<ImportResult> {
  const me = await request<MeResponse>('GET', '/api/v1/me');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', me.csrf_token);
    if (form instanceof Blob) xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network_error', t('errors.network')));
    xhr.onload = () => {
      let data: { error?: { code?: string; message?: string; field?: string } } & Partial<ImportResult> = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 200) resolve(data as ImportResult);
      else
        reject(
          new ApiError(xhr.status, data.error?.code ?? 'http_' + xhr.status, data.error?.message ?? t('admin.wl.import_failed', { status: String(xhr.status) }), data.error?.field ?? ''),
        );
    };
    xhr.send(form);
  });
}

function mb(n: number): string {
  return (n / (1 << 20)).toFixed(1) + ' MB';
}

export function WatchlistTab() {
  const [lists, setLists] = useState<Watchlist[] | null>(null);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let live = true;
    request<{ items: Watchlist[] }>('GET', '/api/v1/admin/watchlists').then(
      (r) => live && setLists(r.items ?? []),
      () => live && setLists([]),
    );
    return () => {
      live = false;
    };
  }, [refresh]);

  return (
    <div class="admin-screen" id="admin-watchlists">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">{t('admin.wl.title')}</h2>
          <p class="admin-sub">{t('admin.wl.sub')}</p>
        </div>
      </div>
      <div class="admin-card" id="watchlist-lists">
        <div class="admin-card-title">{t('admin.wl.in_force')}</div>
        {!lists && <Spinner inline />}
        {lists && lists.length === 0 && <p class="cell-muted">{t('admin.wl.none')}</p>}
        {lists && lists.length > 0 && (
          <table class="admin-table">
            <thead>
              <tr>
                <th>{t('admin.wl.col.list')}</th>
                <th class="num">{t('admin.wl.col.entries')}</th>
                <th>{t('admin.wl.col.hash')}</th>
                <th>{t('admin.wl.col.imported')}</th>
              </tr>
            </thead>
            <tbody>
              {lists.map((l) => (
                <tr key={l.name} class="watchlist-row" data-list={l.name}>
                  <td>
                    <code>{l.name}</code> <span class="chip">{l.format}</span>
                  </td>
                  <td class="num">{l.entries}</td>
                  <td>
                    <code class="hash" title={l.list_hash}>
                      {l.list_hash.slice(0, 19)}…
                    </code>
                  </td>
                  <td class="cell-muted">
                    {tx('admin.wl.imported_by', { date: fmtDateTime(l.imported_at), who: <code class="clip">{l.imported_by}</code> })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ImportCard onDone={() => setRefresh(refresh + 1)} />
      <TestName />
      <SearchList refresh={refresh} />
    </div>
  );
}

function ImportCard({ onDone }: { onDone: () => void }) {
  const [format, setFormat] = useState<'ofac' | 'csv'>('ofac');
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const [list, setList] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState('');
  const [error, setError] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);

  const pick = (name: string) => (e: Event) => {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    setFiles({ ...files, [name]: f });
  };

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setResult(null);
    const q = '?format=' + format + (list.trim() ? '&list=' + encodeURIComponent(list.trim()) : '');
    let body: FormData | Blob;
    if (format === 'ofac') {
      if (!files.sdn) return setError(t('admin.wl.need_sdn'));
      const form = new FormData();
      for (const n of ['sdn', 'alt', 'add']) if (files[n]) form.append(n, files[n]!, n + '.csv');
      body = form;
    } else {
      if (!files.csv) return setError(t('admin.wl.need_csv'));
      body = files.csv;
    }
    setBusy(true);
    setProgress(t('admin.wl.uploading'));
    try {
      const r = await upload('/api/v1/admin/watchlist/import' + q, body, (sent, total) =>
        setProgress(sent < total ? t('admin.wl.uploading_of', { sent: mb(sent), total: mb(total) }) : t('admin.wl.checking')),
      );
      setResult(r);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setProgress('');
    }
  }

  return (
    <form class="admin-card" id="watchlist-import" onSubmit={submit}>
      <div class="admin-card-title">{t('admin.wl.import_title')}</div>
      <p class="cell-muted">{t('admin.wl.import_note')}</p>
      <div class="field-row">
        <label>
          <input type="radio" name="wl-format" id="wl-format-ofac" checked={format === 'ofac'} onChange={() => setFormat('ofac')} /> {t('admin.wl.format_ofac')}
        </label>
        <label>
          <input type="radio" name="wl-format" id="wl-format-csv" checked={format === 'csv'} onChange={() => setFormat('csv')} /> {t('admin.wl.format_csv')}
        </label>
      </div>
      {format === 'ofac' ? (
        <div class="field-row">
          <label>
            sdn.csv {/* i18n-ignore */}<input type="file" id="wl-sdn" accept=".csv,text/csv" onChange={pick('sdn')} />
          </label>
          <label>
            alt.csv {/* i18n-ignore */}<input type="file" id="wl-alt" accept=".csv,text/csv" onChange={pick('alt')} />
          </label>
          <label>
            add.csv {/* i18n-ignore */}<input type="file" id="wl-add" accept=".csv,text/csv" onChange={pick('add')} />
          </label>
        </div>
      ) : (
        <div class="field-row">
          <label>
            {t('admin.wl.list_file')} <input type="file" id="wl-csv" accept=".csv,text/csv" onChange={pick('csv')} />
          </label>
          <span class="cell-muted">{t('admin.wl.header_note')}</span>
        </div>
      )}
      <div class="field-row">
        <label>
          {t('admin.wl.list_name')}{' '}
          <input
            type="text"
            id="wl-list"
            value={list}
            placeholder={format === 'ofac' ? 'ofac_sdn' : 'custom'} // i18n-ignore: list names
            onInput={(e) => setList((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="button button-small" id="wl-import" disabled={busy}>
          {busy ? t('admin.wl.importing') : t('admin.wl.import')}
        </button>
      </div>
      {progress && (
        <p class="cell-muted" id="wl-progress">
          <Spinner inline /> {progress}
        </p>
      )}
      {error && (
        <p class="form-error" id="wl-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <p id="wl-result" data-hash={result.list_hash}>
          {tx('admin.wl.imported', {
            count: result.imported,
            n: <strong>{result.imported}</strong>,
            list: <code>{result.list}</code>,
            hash: <code class="hash">{result.list_hash}</code>,
          })}
        </p>
      )}
    </form>
  );
}

function TestName() {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [res, setRes] = useState<{ matches: ScreenMatch[]; threshold: number; cutoff: number } | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      setRes(await request('POST', '/api/v1/admin/screen', { body: { name: name.trim() } }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-card" id="watchlist-test" onSubmit={submit}>
      <div class="admin-card-title">{t('admin.wl.test_title')}</div>
      <div class="field-row">
        <input type="text" id="wl-test-name" value={name} placeholder={t('admin.wl.test_hint')} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="button button-small" id="wl-test" disabled={busy || !name.trim()}>
          {t('admin.wl.screen')}
        </button>
      </div>
      {error && <p class="form-error">{error}</p>}
      {res && res.matches.length === 0 && (
        <p class="cell-muted" id="wl-test-clear">
          {t('admin.wl.clear', { pct: (res.cutoff * 100).toFixed(0) })}
        </p>
      )}
      {res && res.matches.length > 0 && (
        <table class="admin-table" id="wl-test-results">
          <thead>
            <tr>
              <th class="num">{t('admin.wl.col.score')}</th>
              <th>{t('admin.wl.col.entry')}</th>
              <th>{t('admin.wl.col.program')}</th>
              <th>{t('admin.wl.col.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {res.matches.map((m) => (
              <tr key={m.list + m.entry_id} class="wl-match" data-entry={m.entry_id} data-score={m.score}>
                <td class="num">{(m.score * 100).toFixed(1)}%</td>
                <td>
                  {m.name} <code class="cell-muted">{m.list}:{m.entry_id}</code>
                </td>
                <td>{m.program}</td>
                <td>{m.score >= res.threshold ? <span class="chip">{t('admin.wl.held')}</span> : <span class="cell-muted">{t('admin.wl.near_miss')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {res && <p class="cell-muted">{t('admin.wl.threshold', { pct: (res.threshold * 100).toFixed(0) })}</p>}
    </form>
  );
}

function SearchList({ refresh }: { refresh: number }) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState('');
  const [stack, setStack] = useState<string[]>([]);
  const [page, setPage] = useState<{ items: WatchEntry[]; total: number; next_cursor: string } | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    setError('');
    const p = new URLSearchParams({ q: query, limit: String(PAGE) });
    if (cursor) p.set('cursor', cursor);
    request<{ items: WatchEntry[]; total: number; next_cursor: string }>('GET', '/api/v1/admin/watchlist?' + p.toString()).then(
      (r) => live && setPage(r),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [query, cursor, refresh]);

  function search(e: Event) {
    e.preventDefault();
    setStack([]);
    setCursor('');
    setQuery(q.trim());
  }

  return (
    <div class="admin-card" id="watchlist-search">
      <div class="admin-card-title">{t('admin.wl.search_title')}</div>
      <form class="field-row" onSubmit={search}>
        <input type="search" id="wl-q" value={q} placeholder={t('admin.wl.search_hint')} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="button button-secondary button-small" id="wl-search">
          {t('common.search')}
        </button>
      </form>
      {error && <p class="form-error">{error}</p>}
      {!page && !error && <Spinner inline />}
      {page && (
        <>
          <p class="cell-muted" id="wl-total">
            {t('admin.wl.total', { count: page.total })}
          </p>
          {page.items.length > 0 && (
            <div class="admin-table-wrap">
              <table class="admin-table" id="wl-entries">
                <thead>
                  <tr>
                    <th>{t('admin.wl.col.id')}</th>
                    <th>{t('admin.wl.col.name')}</th>
                    <th>{t('admin.wl.col.aliases')}</th>
                    <th>{t('admin.wl.col.type')}</th>
                    <th>{t('admin.wl.col.country')}</th>
                    <th>{t('admin.wl.col.program')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((e) => (
                    <tr key={(e.list ?? '') + e.id} class="wl-entry" data-id={e.id}>
                      <td>
                        <code>{e.id}</code>
                      </td>
                      <td>{e.name}</td>
                      <td class="cell-muted">{e.aliases.join('; ')}</td>
                      <td>{e.type}</td>
                      <td>{e.country}</td>
                      <td>{e.program}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="admin-pager">
            <button
              type="button"
              class="button button-secondary button-small"
              disabled={stack.length === 0}
              onClick={() => {
                const prev = stack.slice(0, -1);
                setCursor(stack[stack.length - 1] ?? '');
                setStack(prev);
              }}
            >
              {t('admin.wl.previous')}
            </button>
            <button
              type="button"
              class="button button-secondary button-small"
              id="wl-next"
              disabled={!page.next_cursor}
              onClick={() => {
                setStack([...stack, cursor]);
                setCursor(page.next_cursor);
              }}
            >
              {t('admin.wl.next')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
