import type { User } from '../api';
import { ApiError } from '../api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, fmtDateTime } from '../i18n';
import { errorText } from '../i18n/errors';
import { Link, navigate } from '../router';
import { useDesktop } from '../desktop';
import { Sheet } from '../components/Sheet';
import { Spinner } from '../components/Spinner';
import { BackIcon, BagIcon } from '../components/Icons';
import { PayGate, type PayRequest } from '../components/wallet/PayGate';
import { payApi } from '../pay/api';
import { formatMoney } from '../wallet/money';
import { Attempt, newKey } from '../wallet/attempt';
import { afterPayment } from '../wallet/store';
import { showToast } from '../toast';
import { liveApi, type LiveComment, type ShelfItem } from './api';
import { addComments, LikeBatcher, withStock } from './logic';
import { useLive } from './useLive';
import { watch, type Session } from './rtc';
import { readGlass } from './glass';
import { HeartIcon, LiveBadge } from './parts';
import '../styles/live.css';

/** Errors of this screen in its words (English included: "Sold out"). */
const ROOM_ERRORS = { out_of_stock: 'live.room.sold_out', room_ended: 'live.room.ended', muted: 'live.room.muted', not_live: 'live.room.not_started' } as const;

const HEART_MS = 1200;
const AUTO_RETRIES = 5;
const MAX_HEARTS = 24;

/**
 * /live/{id}: the room. Phones: the video fills the screen, comments flow
 * over its bottom left, the product card and the buttons over its bottom.
 * Desktop: the video beside the chat column. Buying opens the PIN sheet
 * over the video, which keeps playing.
 */
export function RoomPage({ id, user }: { id: string; user: User }) {
  const { state, error, update, refresh } = useLive(id, String(user.id));
  const video = useRef<HTMLVideoElement>(null);
  const sess = useRef<Session | null>(null);
  const [video_, setVideo] = useState<'idle' | 'connecting' | 'playing' | 'failed'>('idle');
  const [retry, setRetry] = useState(0);
  const tries = useRef(0);
  const [muted, setMuted] = useState(true);
  const [text, setText] = useState('');
  const [hearts, setHearts] = useState<{ id: number; x: number }[]>([]);
  const [shelfOpen, setShelfOpen] = useState(false);
  const [shelf, setShelf] = useState<ShelfItem[] | null>(null);
  const [pay, setPay] = useState<{ key: string; req: PayRequest } | null>(null);
  const [buying, setBuying] = useState('');
  const [attempt] = useState(() => new Attempt());
  const heartSeq = useRef(0);
  const stamp = new URLSearchParams(window.location.search).get('stamp') === '1';
  const batcher = useRef<LikeBatcher | null>(null);
  batcher.current ??= new LikeBatcher((n) => void liveApi.like(id, n).catch(() => undefined));

  const desktop = useDesktop();
  const side = useRef<HTMLDivElement>(null);
  // Desktop: the chat column follows the newest comment.
  useEffect(() => {
    const el = side.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.comments, desktop]);
  const room = state.room;
  const isLive = room?.state === 'live' && !state.ended;

  // The video: WHEP once the room is live; DELETE the session on leaving.
  useEffect(() => {
    if (!isLive || sess.current) return;
    let cancelled = false;
    setVideo('connecting');
    watch(id, (stream) => {
      const v = video.current;
      if (v && v.srcObject !== stream) {
        v.srcObject = stream;
        void v.play().catch(() => undefined);
      }
    }).then(
      (s) => {
        if (cancelled) return s.close();
        sess.current = s;
        window.__plazaLive = { pc: s.pc };
        s.pc.addEventListener('connectionstatechange', () => {
          if (s.pc.connectionState === 'failed') setVideo('failed');
          if (s.pc.connectionState === 'connected') setVideo('playing');
        });
        setVideo(s.pc.connectionState === 'connected' ? 'playing' : 'connecting');
      },
      () => {
        if (cancelled) return;
        setVideo('failed');
        // The host may be a moment behind the room's state: try a few times.
        if (++tries.current < AUTO_RETRIES) window.setTimeout(() => !cancelled && setRetry((n) => n + 1), 2000);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [id, isLive, retry]);

  useEffect(
    () => () => {
      sess.current?.close();
      sess.current = null;
      batcher.current?.flush();
    },
    [id],
  );

  // The stream ended: drop the connection.
  useEffect(() => {
    if (state.ended && sess.current) {
      sess.current.close();
      sess.current = null;
    }
  }, [state.ended]);

  useEffect(() => {
    const v = video.current;
    if (v) v.muted = muted;
  }, [muted]);

  useEffect(() => {
    if (!stamp || !video.current) return;
    return readGlass(video.current);
  }, [stamp]);

  function retryVideo() {
    sess.current?.close();
    sess.current = null;
    tries.current = 0;
    setRetry((n) => n + 1);
    void refresh();
  }

  function like() {
    batcher.current?.tap();
    update((s) => ({ ...s, likes: s.likes + 1 }));
    const h = { id: ++heartSeq.current, x: Math.round(Math.random() * 40) - 20 };
    setHearts((l) => [...l.slice(-(MAX_HEARTS - 1)), h]);
    window.setTimeout(() => setHearts((l) => l.filter((x) => x.id !== h.id)), HEART_MS);
  }

  async function send(e: Event) {
    e.preventDefault();
    const body = text.trim();
    if (!body || state.muted) return;
    const clientId = newKey();
    setText('');
    const mine: LiveComment = {
      id: 'pending-' + clientId,
      client_id: clientId,
      user: { id: String(user.id), display_name: user.display_name },
      text: body,
      created_at: new Date().toISOString(),
    };
    update((s) => ({ ...s, comments: addComments(s.comments, [mine]) }));
    try {
      const r = await liveApi.comment(id, clientId, body);
      const echoed = r?.comment;
      if (echoed) update((s) => ({ ...s, comments: addComments(s.comments.filter((c) => c.id !== mine.id), [echoed]) }));
    } catch (err) {
      update((s) => ({ ...s, comments: s.comments.filter((c) => c.client_id !== clientId), muted: s.muted || (err instanceof ApiError && err.code === 'muted') }));
      showToast(errorText(err, ROOM_ERRORS), 'error');
    }
  }

  function openShelf() {
    setShelfOpen(true);
    liveApi.shelf(id).then(
      (r) => setShelf(r.items ?? []),
      (err) => {
        setShelf([]);
        showToast(errorText(err, ROOM_ERRORS), 'error');
      },
    );
  }

  async function buy(item: ShelfItem) {
    if (buying) return;
    setBuying(item.sku);
    try {
      const r = await attempt.run('order:' + item.sku, (key) => liveApi.order(id, item.sku, key));
      const prepayId = r.prepay_id;
      setPay({
        key: prepayId,
        req: {
          what: t('live.room.buy_item', { name: item.name }),
          amount: item.price.amount,
          currency: item.price.currency,
          run: async (pin) => {
            await payApi.confirm(prepayId, pin);
          },
        },
      });
    } catch (err) {
      showToast(errorText(err, ROOM_ERRORS), 'error');
    } finally {
      setBuying('');
    }
  }

  if (error && !room) {
    return (
      <div class="live-room live-room-error">
        <p class="live-notice">{errorText(error, ROOM_ERRORS)}</p>
        <Link href="/live" class="button button-secondary button-small">
          {t('live.room.ended_back')}
        </Link>
      </div>
    );
  }

  const showing = state.showing ? withStock(state.showing, state) : null;
  const title = room?.title ?? '';

  const comments = (
    <ol class="live-comments" data-testid="live-comments" aria-label={t('live.room.comments_label')}>
      {state.comments.map((c) => (
        <li key={c.id} class={'live-comment' + (c.id.startsWith('pending-') ? ' pending' : '')} data-comment-id={c.id}>
          <span class="live-comment-name">{c.user?.display_name}</span> <span class="live-comment-text">{c.text}</span>
        </li>
      ))}
    </ol>
  );

  return (
    <div class="live-room" id="live-room" data-state={state.ended ? 'ended' : (room?.state ?? 'loading')}>
      <div class="live-stage">
        <video
          id="live-video"
          ref={video}
          class="live-video"
          autoplay
          playsInline
          muted
          aria-label={t('live.room.video_label', { title })}
        />
        {!room && (
          <div class="live-center">
            <Spinner label={t('live.room.loading')} />
          </div>
        )}
        {room && !isLive && !state.ended && (
          <div class="live-center live-notice" id="live-not-started">
            <p>{t('live.room.not_started')}</p>
            {room.scheduled_at && <p>{t('live.starts', { time: fmtDateTime(room.scheduled_at) })}</p>}
          </div>
        )}
        {isLive && video_ === 'connecting' && (
          <div class="live-center">
            <Spinner label={t('live.room.connecting')} />
          </div>
        )}
        {isLive && video_ === 'failed' && (
          <div class="live-center live-notice">
            <p>{t('live.room.video_failed')}</p>
            <button type="button" class="button button-primary button-small" id="live-retry" onClick={retryVideo}>
              {t('common.retry')}
            </button>
          </div>
        )}
        {isLive && muted && video_ === 'playing' && (
          <button type="button" class="live-unmute" id="live-unmute" onClick={() => setMuted(false)}>
            {t('live.room.unmute')}
          </button>
        )}

        <header class="live-head">
          <button
            type="button"
            class="live-icon-button"
            aria-label={t('live.room.back')}
            onClick={() => (window.history.length > 1 ? window.history.back() : navigate('/live'))}
          >
            <BackIcon size={22} />
          </button>
          <div class="live-head-main">
            <p class="live-head-merchant">{room?.merchant_name}</p>
            <h1 class="live-head-title">{title}</h1>
          </div>
          <div class="live-head-figures">
            {isLive && <LiveBadge />}
            <span class="live-figure" data-testid="live-viewers" data-count={state.viewers}>
              {t('live.viewers', { count: state.viewers })}
            </span>
            <span class="live-figure" data-testid="live-likes" data-count={state.likes}>
              {t('live.likes', { count: state.likes })}
            </span>
          </div>
        </header>

        <div class="live-overlay">
          {state.pinned && (
            <p class="live-pinned" id="live-pinned">
              <span class="live-pinned-tag">{t('live.room.pinned')}</span> <b>{state.pinned.user?.display_name}</b> {state.pinned.text}
            </p>
          )}
          {!desktop && <div class="live-overlay-comments">{comments}</div>}
          {showing && (
            <div class="live-showing" data-testid="live-showing" data-sku={showing.sku}>
              {showing.image_url ? <img class="live-showing-img" src={showing.image_url} alt="" /> : <span class="live-showing-img live-showing-blank" aria-hidden="true"><BagIcon size={26} /></span>}
              <div class="live-showing-main">
                <span class="live-showing-tag">{t('live.room.showing')}</span>
                <span class="live-showing-name">{showing.name}</span>
                <span class="live-showing-price">{formatMoney(showing.price.amount, showing.price.currency)}</span>
              </div>
              <button
                type="button"
                class="button button-primary button-small live-buy"
                data-testid="live-buy"
                disabled={showing.stock <= 0 || !!buying || state.ended}
                onClick={() => void buy(showing)}
              >
                {showing.stock <= 0 ? t('live.room.sold_out') : t('live.room.buy')}
              </button>
            </div>
          )}
        </div>

        <div class="live-hearts" aria-hidden="true">
          {hearts.map((h) => (
            <span key={h.id} class="live-heart" style={{ '--dx': h.x + 'px' }}>
              <HeartIcon size={28} />
            </span>
          ))}
        </div>

        {state.ended && (
          <div class="live-ended" id="live-ended" role="status">
            <p class="live-ended-title">{t('live.room.ended')}</p>
            <Link href="/live" class="button button-secondary button-small">
              {t('live.room.ended_back')}
            </Link>
          </div>
        )}
      </div>

      <aside class="live-side" aria-label={t('live.room.chat')}>
        {desktop && (
          <div class="live-side-comments" ref={side}>
            {comments}
          </div>
        )}
        <div class="live-bar">
          <form class="live-composer" onSubmit={(e) => void send(e)}>
            <input
              id="live-comment-input"
              class="live-input"
              type="text"
              maxLength={200}
              autocomplete="off"
              value={text}
              disabled={state.muted || state.ended}
              placeholder={state.muted ? t('live.room.muted') : t('live.room.comment_placeholder')}
              aria-label={t('live.room.comment_label')}
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <button type="submit" class="live-send" id="live-send" disabled={!text.trim() || state.muted || state.ended}>
              {t('live.room.send')}
            </button>
          </form>
          <button type="button" class="live-icon-button live-shelf-button" id="live-shelf" aria-label={t('live.room.shelf')} onClick={openShelf}>
            <BagIcon size={22} />
          </button>
          <button type="button" class="live-icon-button live-like" id="live-like" data-testid="live-like" aria-label={t('live.room.like')} onClick={like} disabled={state.ended}>
            <HeartIcon size={22} />
          </button>
        </div>
      </aside>

      <Sheet open={shelfOpen} onClose={() => setShelfOpen(false)} label={t('live.room.shelf')} id="live-shelf-sheet" covered={!!pay}>
        <h2 class="sheet-title">{t('live.room.shelf')}</h2>
        {shelf === null ? (
          <Spinner label={t('common.loading')} />
        ) : shelf.length === 0 ? (
          <p class="live-empty">{t('live.room.shelf_empty')}</p>
        ) : (
          <ul class="live-shelf">
            {shelf.map((raw) => {
              const item = withStock(raw, state);
              return (
                <li class="live-shelf-item" key={item.sku} data-sku={item.sku}>
                  {item.image_url ? <img class="live-shelf-img" src={item.image_url} alt="" /> : <span class="live-shelf-img live-showing-blank" aria-hidden="true"><BagIcon size={22} /></span>}
                  <div class="live-shelf-main">
                    <span class="live-shelf-name">{item.name}</span>
                    <span class="live-shelf-price">{formatMoney(item.price.amount, item.price.currency)}</span>
                    <span class="live-shelf-stock">{item.stock > 0 ? t('live.room.stock', { count: item.stock }) : t('live.room.sold_out')}</span>
                  </div>
                  <button
                    type="button"
                    class="button button-primary button-small"
                    data-testid={'live-shelf-buy-' + item.sku}
                    disabled={item.stock <= 0 || !!buying || state.ended}
                    aria-label={t('live.room.buy_item', { name: item.name })}
                    onClick={() => void buy(item)}
                  >
                    {item.stock <= 0 ? t('live.room.sold_out') : t('live.room.buy')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </Sheet>

      {pay && (
        <PayGate
          key={pay.key}
          req={pay.req}
          onDone={() => {
            setPay(null);
            setShelfOpen(false);
            afterPayment();
            showToast(t('live.room.paid'), 'success');
          }}
          onCancel={() => setPay(null)}
          onFail={(err) => {
            setPay(null);
            showToast(errorText(err, ROOM_ERRORS), 'error');
          }}
        />
      )}
    </div>
  );
}

