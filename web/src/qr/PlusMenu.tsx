import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../router';
import { PlusCircleIcon, UserPlusIcon } from '../components/Icons';
import { ChatBubblePlusIcon, ReceiveIcon, ScanIcon } from './icons';
import { t } from '../i18n';

/**
 * The Chats page's "+" (WeChat's): New chat, Add contacts, Scan and
 * Receive money, in a small dark menu under the button.
 */
export function PlusMenu({ onNewChat }: { onNewChat: () => void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // A layout effect: the listeners are in place before the menu is
  // painted, so an Esc pressed the moment it shows still closes it (the
  // app's own Esc leaves an open menu alone).
  useLayoutEffect(() => {
    if (!open) return undefined;
    const away = (e: Event) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);

  const go = (fn: () => void) => () => {
    setOpen(false);
    fn();
  };

  return (
    <div class="plus-menu-box" ref={box}>
      <button type="button" id="chats-plus" class="icon-button" aria-label={t('common.more')} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((x) => !x)}>
        <PlusCircleIcon />
      </button>
      {open && (
        <div class="plus-menu" role="menu" id="chats-plus-menu">
          <button type="button" role="menuitem" id="new-chat" class="plus-menu-item" onClick={go(onNewChat)}>
            <ChatBubblePlusIcon size={22} /> {t('wallet.plus.new_chat')}
          </button>
          <button type="button" role="menuitem" id="plus-add-contacts" class="plus-menu-item" onClick={go(() => navigate('/contacts/new'))}>
            <UserPlusIcon size={22} /> {t('wallet.plus.add_contacts')}
          </button>
          <button type="button" role="menuitem" id="plus-scan" class="plus-menu-item" onClick={go(() => navigate('/scan'))}>
            <ScanIcon size={22} /> {t('wallet.plus.scan')}
          </button>
          <button type="button" role="menuitem" id="plus-receive" class="plus-menu-item" onClick={go(() => navigate('/wallet/receive'))}>
            <ReceiveIcon size={22} /> {t('wallet.plus.receive')}
          </button>
        </div>
      )}
    </div>
  );
}
