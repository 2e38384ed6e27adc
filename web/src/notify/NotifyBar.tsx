// Above the Chats list: "Offline — showing saved messages" while the list
// comes from this device, else (once) the offer to turn on desktop
// notifications after the person has sent a message.
import { useStore } from '../store';
import { chat } from '../chat/store';
import type { Id } from '../api';
import { t } from '../i18n';
import { hasChatted, wantsPrompt } from './logic';
import { askPermission, notifyPrefs, permission, setPrefs } from './prefs';
import { showingSaved } from './offline';
import './notify.css';

export function NotifyBar({ me, active }: { me: Id; active: boolean }) {
  const saved = useStore(showingSaved);
  const prefs = useStore(notifyPrefs);
  const perm = useStore(permission);
  const { conversations } = useStore(chat);
  if (saved) {
    return (
      <div class="notify-bar notify-bar-offline" id="offline-banner" role="status">
        {t('notify.offline.saved')}
      </div>
    );
  }
  const chatted = prefs.chatted || hasChatted(conversations, me);
  if (!active || !wantsPrompt({ permission: perm, dismissed: prefs.promptDismissed, chatted })) return null;
  return (
    <div class="notify-bar" id="notify-prompt" role="region" aria-label={t('notify.settings.system')}>
      <span class="notify-bar-text">{t('notify.prompt.text')}</span>
      <button type="button" id="notify-prompt-enable" class="button button-primary button-small" onClick={() => void askPermission()}>
        {t('notify.prompt.enable')}
      </button>
      <button type="button" id="notify-prompt-dismiss" class="button button-small notify-bar-dismiss" onClick={() => setPrefs({ promptDismissed: true })}>
        {t('notify.prompt.dismiss')}
      </button>
    </div>
  );
}
