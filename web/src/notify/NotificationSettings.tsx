// Me → Settings → Notifications: sound, desktop notifications (with the
// browser's permission and a button to ask for it), message preview.
import { useEffect } from 'preact/hooks';
import { CellGroup } from '../components/Cell';
import { useStore } from '../store';
import { t, type MessageKey } from '../i18n';
import { askPermission, notifyPrefs, permission, refreshPermission, setPrefs, type NotifyPrefs } from './prefs';

const PERMISSION_TEXT: Record<string, MessageKey> = {
  granted: 'notify.settings.granted',
  denied: 'notify.settings.denied',
  default: 'notify.settings.default',
  unsupported: 'notify.settings.unsupported',
};

function Toggle({ name, title, hint, disabled }: { name: keyof NotifyPrefs; title: string; hint: string; disabled?: boolean }) {
  const prefs = useStore(notifyPrefs);
  const id = 'notify-' + name;
  return (
    <label class="cell switch-cell" for={id}>
      <span class="cell-main">
        <span class="cell-title">{title}</span>
        <span class="cell-subtitle" id={id + '-hint'}>
          {hint}
        </span>
      </span>
      <span class="cell-extra">
        <input
          type="checkbox"
          role="switch"
          class="switch"
          id={id}
          checked={prefs[name]}
          disabled={disabled}
          aria-describedby={id + '-hint'}
          onChange={() => setPrefs({ [name]: !prefs[name] })}
        />
      </span>
    </label>
  );
}

export function NotificationSettings() {
  const perm = useStore(permission);
  const prefs = useStore(notifyPrefs);
  useEffect(refreshPermission, []);
  return (
    <CellGroup title={t('notify.settings.title')} class="notify-settings">
      <Toggle name="sound" title={t('notify.settings.sound')} hint={t('notify.settings.soundHint')} />
      <Toggle name="system" title={t('notify.settings.system')} hint={t('notify.settings.systemHint')} disabled={perm === 'unsupported'} />
      <div class="cell notify-permission" id="notify-permission">
        <span class="cell-main">
          <span class="cell-title">{t('notify.settings.permission')}</span>
          <span class="cell-subtitle" id="notify-permission-state" data-permission={perm}>
            {t(PERMISSION_TEXT[perm])}
          </span>
        </span>
        {perm === 'default' && (
          <span class="cell-extra">
            <button type="button" id="notify-ask" class="button button-primary button-small" onClick={() => void askPermission()}>
              {t('notify.settings.ask')}
            </button>
          </span>
        )}
      </div>
      <Toggle name="preview" title={t('notify.settings.preview')} hint={t('notify.settings.previewHint')} disabled={!prefs.system} />
    </CellGroup>
  );
}
