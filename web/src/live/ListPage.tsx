import type { User } from '../api';
import { useEffect, useState } from 'preact/hooks';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { Sheet } from '../components/Sheet';
import { Field } from '../components/Field';
import { fmtDateTime, t } from '../i18n';
import { errorText } from '../i18n/errors';
import { Link, navigate } from '../router';
import { showToast } from '../toast';
import { merchantApi, type Merchant } from '../pay/api';
import { liveApi, type Room } from './api';
import { Cover, LiveBadge } from './parts';
import '../styles/live.css';

const roomPath = (r: Room) => '/live/' + encodeURIComponent(r.id);

/** Discover → Live: the rooms live now, the upcoming ones, and the caller's own. */
export function ListPage({ user }: { user: User }) {
  const [liveRooms, setLive] = useState<Room[] | null>(null);
  const [upcoming, setUpcoming] = useState<Room[] | null>(null);
  const [error, setError] = useState('');
  const [merchants, setMerchants] = useState<Merchant[]>([]);
  const [mine, setMine] = useState<Room[]>([]);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    liveApi.list('live', ctl.signal).then(
      (r) => setLive(r.items ?? []),
      (err) => !ctl.signal.aborted && setError(errorText(err)),
    );
    liveApi.list('scheduled', ctl.signal).then(
      (r) => setUpcoming(r.items ?? []),
      (err) => !ctl.signal.aborted && setError(errorText(err)),
    );
    merchantApi.list().then(
      async (r) => {
        const ms = r.items ?? [];
        setMerchants(ms);
        const lists = await Promise.all(ms.map((m) => liveApi.mine(m.mchid).then((x) => x.items ?? [], () => [] as Room[])));
        setMine(lists.flat());
      },
      () => undefined,
    );
    return () => ctl.abort();
  }, [user.id]);

  function setReminded(id: string, on: boolean) {
    setUpcoming((l) => l && l.map((r) => (r.id === id ? { ...r, reminded: on } : r)));
  }

  async function toggleRemind(r: Room) {
    const on = !r.reminded;
    setReminded(r.id, on);
    try {
      await liveApi.remind(r.id, on);
      if (on) showToast(t('live.remind_on'), 'success');
    } catch (err) {
      setReminded(r.id, !on);
      showToast(errorText(err), 'error');
    }
  }

  return (
    <Page title={t('live.title')} back="/discover" class="live-list-page">
      {error && <p class="form-error">{error}</p>}
      {merchants.length > 0 && (
        <section class="live-section" id="live-mine">
          <div class="live-section-head">
            <h2 class="live-section-title">{t('live.mine')}</h2>
            <button type="button" class="button button-primary button-small" id="live-new-room" onClick={() => setCreating(true)}>
              {t('live.new_room')}
            </button>
          </div>
          <ul class="live-mine">
            {mine.map((r) => (
              <li key={r.id} class="live-mine-row" data-room-id={r.id}>
                <span class="live-mine-title">{r.title}</span>
                <span class="live-mine-state">{t(('live.state.' + (r.state === 'live' || r.state === 'ended' ? r.state : 'scheduled')) as 'live.state.live')}</span>
                <Link class="button button-secondary button-small" href={roomPath(r) + '/host'} data-host-room={r.id}>
                  {t('live.host_open')}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="live-section" id="live-now">
        <h2 class="live-section-title">{t('live.now')}</h2>
        {liveRooms === null && !error ? (
          <Spinner label={t('live.loading')} />
        ) : liveRooms && liveRooms.length === 0 ? (
          <p class="live-empty">{t('live.none_live')}</p>
        ) : (
          <ul class="live-grid">
            {liveRooms?.map((r) => (
              <li key={r.id}>
                <Link href={roomPath(r)} class="live-card" data-room-id={r.id}>
                  <span class="live-card-cover">
                    <Cover room={r} />
                    <span class="live-card-badges">
                      <LiveBadge />
                      <span class="live-card-viewers">{t('live.viewers', { count: r.viewers ?? 0 })}</span>
                    </span>
                  </span>
                  <span class="live-card-title">{r.title}</span>
                  <span class="live-card-merchant">{r.merchant_name}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="live-section" id="live-upcoming">
        <h2 class="live-section-title">{t('live.upcoming')}</h2>
        {upcoming === null && !error ? (
          <Spinner label={t('live.loading')} />
        ) : upcoming && upcoming.length === 0 ? (
          <p class="live-empty">{t('live.none_upcoming')}</p>
        ) : (
          <ul class="live-upcoming">
            {upcoming?.map((r) => (
              <li key={r.id} class="live-upcoming-row" data-room-id={r.id}>
                <Link href={roomPath(r)} class="live-upcoming-link">
                  <Cover room={r} />
                  <span class="live-upcoming-main">
                    <span class="live-card-title">{r.title}</span>
                    <span class="live-card-merchant">{r.merchant_name}</span>
                    <span class="live-upcoming-time">{t('live.starts', { time: fmtDateTime(r.scheduled_at) })}</span>
                  </span>
                </Link>
                <button
                  type="button"
                  class={'button button-small ' + (r.reminded ? 'button-secondary' : 'button-primary')}
                  aria-pressed={!!r.reminded}
                  data-remind={r.id}
                  onClick={() => void toggleRemind(r)}
                >
                  {r.reminded ? t('live.reminded') : t('live.remind')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <NewRoomSheet open={creating} merchants={merchants} onClose={() => setCreating(false)} />
    </Page>
  );
}

/** A local datetime-local value an hour from now. */
function inAnHour(): string {
  const d = new Date(Date.now() + 3600_000);
  d.setSeconds(0, 0);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function NewRoomSheet({ open, merchants, onClose }: { open: boolean; merchants: Merchant[]; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const when = new Date(String(form.get('scheduled_at') ?? ''));
    setBusy(true);
    setError('');
    try {
      const r = await liveApi.create({
        mchid: String(form.get('mchid') ?? merchants[0]?.mchid ?? ''),
        title: String(form.get('title') ?? '').trim(),
        scheduled_at: Number.isNaN(when.getTime()) ? new Date().toISOString() : when.toISOString(),
      });
      showToast(t('live.form.created'), 'success');
      onClose();
      navigate('/live/' + encodeURIComponent(r.room.id) + '/host');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Sheet open={open} onClose={onClose} label={t('live.new_room')} id="live-new-room-sheet">
      <h2 class="sheet-title">{t('live.new_room')}</h2>
      <form class="live-form" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label class="field-label" for="live-new-mchid">
            {t('live.form.merchant')}
          </label>
          <select id="live-new-mchid" name="mchid" class="field-input">
            {merchants.map((m) => (
              <option key={m.mchid} value={m.mchid}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <Field id="live-new-title" name="title" label={t('live.form.title')} required maxLength={80} />
        <div class="field">
          <label class="field-label" for="live-new-when">
            {t('live.form.when')}
          </label>
          <input id="live-new-when" name="scheduled_at" type="datetime-local" class="field-input" defaultValue={inAnHour()} />
        </div>
        {error && <p class="form-error">{error}</p>}
        <button type="submit" class="button button-primary button-block" id="live-new-submit" disabled={busy}>
          {t('live.form.create')}
        </button>
      </form>
    </Sheet>
  );
}
