import type { User } from '../api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { fmtNumber, t } from '../i18n';
import { errorText } from '../i18n/errors';
import { Link } from '../router';
import { showToast } from '../toast';
import { DEFAULT_CURRENCY, formatMoney, parseAmount } from '../wallet/money';
import { liveApi, type LiveComment, type ShelfItem, type Stats } from './api';
import { useLive } from './useLive';
import { publish, stampedStream, type Session } from './rtc';
import { withStock } from './logic';
import { LiveBadge } from './parts';
import '../styles/live.css';

const STATS_EVERY_MS = 5000;

/**
 * /live/{id}/host: the host's page. Camera preview, Go live (WHIP with three
 * simulcast layers), End; the shelf and "Show this product"; live stats,
 * the sales ticker and the comments with moderation.
 */
export function HostPage({ id, user }: { id: string; user: User }) {
  const { state, error, update } = useLive(id, String(user.id));
  const preview = useRef<HTMLVideoElement>(null);
  const camera = useRef<MediaStream | null>(null);
  const stamped = useRef<{ stream: MediaStream; stop(): void } | null>(null);
  const sess = useRef<Session | null>(null);
  const [camError, setCamError] = useState('');
  const [camReady, setCamReady] = useState(false);
  const [phase, setPhase] = useState<'off' | 'going' | 'live' | 'ended'>('off');
  const [shelf, setShelf] = useState<ShelfItem[] | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const stamp = new URLSearchParams(window.location.search).get('stamp') === '1';
  const room = state.room;

  // The camera, for the preview and then the stream.
  useEffect(() => {
    let stopped = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamError(t('live.host.camera_failed', { reason: 'getUserMedia' })); // i18n-ignore: an API's name
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true }).then(
      (s) => {
        if (stopped) return s.getTracks().forEach((tr) => tr.stop());
        camera.current = s;
        let shown = s;
        if (stamp) {
          stamped.current = stampedStream(s);
          shown = stamped.current.stream;
        }
        if (preview.current) {
          preview.current.srcObject = shown;
          void preview.current.play().catch(() => undefined);
        }
        setCamReady(true);
      },
      (err: unknown) => !stopped && setCamError(t('live.host.camera_failed', { reason: err instanceof Error ? err.message : String(err) })),
    );
    return () => {
      stopped = true;
      sess.current?.close();
      sess.current = null;
      stamped.current?.stop();
      camera.current?.getTracks().forEach((tr) => tr.stop());
    };
  }, [id]);

  useEffect(() => {
    if (room?.state === 'ended' || state.ended) setPhase((p) => (p === 'off' || p === 'live' ? 'ended' : p));
  }, [room?.state, state.ended]);

  useEffect(() => {
    liveApi.shelf(id).then(
      (r) => setShelf(r.items ?? []),
      () => setShelf([]),
    );
    let live = true;
    const load = () =>
      liveApi.stats(id).then(
        (s) => live && setStats(s),
        () => undefined,
      );
    void load();
    const timer = window.setInterval(load, STATS_EVERY_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [id]);

  // A sale, a new comment: the figures follow at once, not at the next tick.
  useEffect(() => {
    let live = true;
    liveApi.stats(id).then(
      (s) => live && setStats(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [id, state.sales.length, state.comments.length]);

  async function goLive() {
    const s = stamped.current?.stream ?? camera.current;
    if (!s) return;
    setPhase('going');
    try {
      const session = await publish(id, s);
      sess.current = session;
      window.__plazaLive = { pc: session.pc };
      setPhase('live');
    } catch (err) {
      setPhase('off');
      showToast(errorText(err), 'error');
    }
  }

  async function end() {
    sess.current?.close();
    sess.current = null;
    try {
      await liveApi.end(id);
    } catch (err) {
      showToast(errorText(err), 'error');
    }
    setPhase('ended');
  }

  async function saveShelf(items: ShelfItem[]): Promise<boolean> {
    try {
      await liveApi.putShelf(id, items);
      setShelf(items);
      showToast(t('live.host.saved'), 'success');
      return true;
    } catch (err) {
      showToast(errorText(err), 'error');
      return false;
    }
  }

  async function show(sku: string) {
    try {
      await liveApi.show(id, sku);
      const item = shelf?.find((i) => i.sku === sku) ?? null;
      update((s) => ({ ...s, showing: item }));
    } catch (err) {
      showToast(errorText(err), 'error');
    }
  }

  async function moderate(c: LiveComment, action: 'delete' | 'pin' | 'mute') {
    try {
      if (action === 'delete') {
        await liveApi.deleteComment(id, c.id);
        update((s) => ({ ...s, comments: s.comments.filter((x) => x.id !== c.id) }));
      } else if (action === 'pin') {
        const unpin = state.pinned?.id === c.id;
        await liveApi.pin(id, unpin ? '' : c.id);
        update((s) => ({ ...s, pinned: unpin ? null : c }));
      } else {
        await liveApi.mute(id, c.user.id);
        showToast(t('live.host.muted_done', { name: c.user.display_name }), 'success');
      }
    } catch (err) {
      showToast(errorText(err), 'error');
    }
  }

  if (error && !room) {
    return (
      <Page title={t('live.title')} back="/live">
        <p class="form-error">{errorText(error)}</p>
      </Page>
    );
  }
  if (!room) {
    return (
      <Page title={t('live.title')} back="/live">
        <Spinner label={t('live.room.loading')} />
      </Page>
    );
  }
  if (room.host === false) {
    return (
      <Page title={room.title} back="/live">
        <p class="live-empty">{t('live.host.not_host')}</p>
      </Page>
    );
  }

  const nameOf = (sku: string) => shelf?.find((i) => i.sku === sku)?.name ?? sku;
  const figures: [string, string, string][] = [
    ['viewers', t('live.host.stat.viewers'), fmtNumber(Math.max(stats?.viewers ?? 0, state.viewers))],
    ['peak', t('live.host.stat.peak'), fmtNumber(stats?.peak_viewers ?? 0)],
    ['likes', t('live.host.stat.likes'), fmtNumber(Math.max(stats?.likes ?? 0, state.likes))],
    ['comments', t('live.host.stat.comments'), fmtNumber(stats?.comments ?? 0)],
    ['orders', t('live.host.stat.orders'), fmtNumber(stats?.orders ?? 0)],
    ['paid', t('live.host.stat.paid'), fmtNumber(Math.max(stats?.paid_orders ?? 0, state.sales.length))],
    ['sales', t('live.host.stat.sales'), stats?.sales ? formatMoney(stats.sales.amount, stats.sales.currency) : formatMoney(0)],
  ];

  return (
    <Page
      title={t('live.host.title', { title: room.title })}
      back="/live"
      class="live-host-page"
      action={
        <Link href={'/live/' + encodeURIComponent(id)} class="link-button live-host-viewer-link">
          {t('live.host.open_room')}
        </Link>
      }
    >
      <div class="live-host">
        <section class="live-host-stage" aria-label={t('live.host.preview')}>
          <div class="live-host-video-wrap">
            <video ref={preview} class="live-host-video" id="host-preview" autoplay playsInline muted aria-label={t('live.host.preview')} />
            {!camReady && !camError && (
              <div class="live-center">
                <Spinner label={t('live.host.preview')} />
              </div>
            )}
            {camError && <p class="live-center live-notice">{camError}</p>}
            <span class="live-host-state">{phase === 'live' ? <LiveBadge /> : <span class="live-host-off">{phase === 'ended' ? t('live.state.ended') : t('live.host.not_live')}</span>}</span>
          </div>
          <div class="live-host-actions">
            {phase === 'live' ? (
              <button type="button" class="button button-danger" data-testid="host-end" id="host-end" onClick={() => void end()}>
                {t('live.host.end')}
              </button>
            ) : phase === 'ended' ? (
              <p class="live-empty">{t('live.host.ended')}</p>
            ) : (
              <button type="button" class="button button-primary" data-testid="host-golive" id="host-golive" disabled={!camReady || phase === 'going'} onClick={() => void goLive()}>
                {phase === 'going' ? t('live.host.going') : t('live.host.golive')}
              </button>
            )}
          </div>
          <dl class="live-stats" data-testid="host-stats" aria-label={t('live.host.stats')}>
            {figures.map(([k, label, v]) => (
              <div class="live-stat" key={k} data-stat={k}>
                <dt>{label}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>

        <section class="live-host-panel">
          <h2 class="live-section-title">{t('live.host.shelf')}</h2>
          {shelf === null ? (
            <Spinner label={t('common.loading')} />
          ) : (
            <ShelfEditor items={shelf.map((i) => withStock(i, state))} showing={state.showing?.sku ?? ''} onSave={saveShelf} onShow={(sku) => void show(sku)} />
          )}

          <h2 class="live-section-title">{t('live.host.sales')}</h2>
          <ol class="live-sales" data-testid="host-sales" aria-live="polite">
            {state.sales.length === 0 && <li class="live-empty">{t('live.host.no_sales')}</li>}
            {state.sales
              .slice()
              .reverse()
              .map((s, i) => (
                <li key={s.at + ':' + i} class="live-sale">
                  {t('live.host.sale', { buyer: s.buyer, name: nameOf(s.sku), amount: formatMoney(s.amount.amount, s.amount.currency) })}
                </li>
              ))}
          </ol>

          <h2 class="live-section-title">{t('live.host.comments')}</h2>
          <ol class="live-host-comments" data-testid="host-comments">
            {state.comments.length === 0 && <li class="live-empty">{t('live.host.no_comments')}</li>}
            {state.comments.map((c) => (
              <li key={c.id} class={'live-host-comment' + (state.pinned?.id === c.id ? ' pinned' : '')} data-comment-id={c.id}>
                <span class="live-host-comment-text">
                  <b>{c.user?.display_name}</b> {c.text}
                </span>
                {!c.id.startsWith('pending-') && (
                  <span class="live-mod">
                    <button type="button" class="link-button" data-action="pin" onClick={() => void moderate(c, 'pin')}>
                      {state.pinned?.id === c.id ? t('live.host.unpin') : t('live.host.pin')}
                    </button>
                    <button type="button" class="link-button" data-action="delete" onClick={() => void moderate(c, 'delete')}>
                      {t('common.delete')}
                    </button>
                    {String(c.user?.id) !== String(user.id) && (
                      <button type="button" class="link-button live-danger" data-action="mute" onClick={() => void moderate(c, 'mute')}>
                        {t('live.host.mute')}
                      </button>
                    )}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </Page>
  );
}

function ShelfEditor({
  items,
  showing,
  onSave,
  onShow,
}: {
  items: ShelfItem[];
  showing: string;
  onSave: (items: ShelfItem[]) => Promise<boolean>;
  onShow: (sku: string) => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function add(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const sku = String(data.get('sku') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    const price = parseAmount(String(data.get('price') ?? ''), DEFAULT_CURRENCY);
    const stock = Number(data.get('stock'));
    if (!sku || !name) return setError(t('errors.invalid_argument'));
    if (!price.ok) return setError(price.error);
    if (!Number.isInteger(stock) || stock < 0) return setError(t('errors.invalid_argument'));
    setError('');
    setBusy(true);
    const next = [...items.filter((i) => i.sku !== sku), { sku, name, price: { amount: price.minor, currency: DEFAULT_CURRENCY }, stock }];
    if (await onSave(next)) form.reset();
    setBusy(false);
  }

  return (
    <div class="live-shelf-editor">
      <ul class="live-shelf">
        {items.map((item) => (
          <li class="live-shelf-item" key={item.sku} data-sku={item.sku}>
            <div class="live-shelf-main">
              <span class="live-shelf-name">{item.name}</span>
              <span class="live-shelf-price">{formatMoney(item.price.amount, item.price.currency)}</span>
              <span class="live-shelf-stock">
                {item.stock > 0 ? t('live.room.stock', { count: item.stock }) : t('live.room.sold_out')}
              </span>
            </div>
            <button
              type="button"
              class={'button button-small ' + (showing === item.sku ? 'button-secondary' : 'button-primary')}
              data-testid={'host-show-' + item.sku}
              aria-pressed={showing === item.sku}
              onClick={() => onShow(item.sku)}
            >
              {showing === item.sku ? t('live.host.showing') : t('live.host.show')}
            </button>
            <button type="button" class="link-button live-danger" data-remove={item.sku} onClick={() => void onSave(items.filter((i) => i.sku !== item.sku))}>
              {t('common.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form class="live-shelf-form" onSubmit={(e) => void add(e)}>
        <label class="live-field">
          <span>{t('live.host.sku')}</span>
          <input class="field-input" name="sku" id="host-sku" required maxLength={64} autocomplete="off" />
        </label>
        <label class="live-field">
          <span>{t('live.host.name')}</span>
          <input class="field-input" name="name" id="host-name" required maxLength={80} autocomplete="off" />
        </label>
        <label class="live-field">
          <span>{t('live.host.price')}</span>
          <input class="field-input" name="price" id="host-price" required inputMode="decimal" autocomplete="off" />
        </label>
        <label class="live-field">
          <span>{t('live.host.stock')}</span>
          <input class="field-input" name="stock" id="host-stock" required type="number" min={0} step={1} />
        </label>
        {error && <p class="form-error">{error}</p>}
        <button type="submit" class="button button-secondary button-small" id="host-add" disabled={busy}>
          {t('live.host.add_item')}
        </button>
      </form>
    </div>
  );
}
