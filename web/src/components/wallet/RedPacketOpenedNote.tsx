import { useEffect } from 'preact/hooks';
import type { Id } from '../../api';
import type { Message } from '../../chat/api';
import { sameId } from '../../chat/merge';
import { myId } from '../../chat/store';
import { useStore } from '../../store';
import { loadRedPacket, redPackets } from '../../wallet/store';
import { t } from '../../i18n';

/**
 * pay's note of a claim ("Bob opened Alice's Red Packet"), worded for the
 * reader as WeChat does: "Bob opened your Red Packet" to the sender, "You
 * opened Alice's Red Packet" to the opener, "Bob opened Alice's Red Packet"
 * to others (the server's words until the packet has loaded).
 * It also re-reads the packet, so the sender's card turns "Opened" / "All
 * claimed" live.
 */
export function RedPacketOpenedNote({ m }: { m: Message }) {
  const all = useStore(redPackets);
  const id = m.red_packet_id as Id | undefined;
  const rp = id === undefined ? undefined : all[String(id)];

  useEffect(() => {
    if (id !== undefined) loadRedPacket(id).catch(() => undefined);
  }, [id, m.seq]);

  const me = myId();
  const opener = m.sender.display_name || m.sender.username;
  const owner = rp ? rp.sender.display_name || rp.sender.username : '';
  let text = m.text;
  if (sameId(m.sender.id, me)) {
    text = owner ? t('wallet.rp.you_opened', { name: owner }) : t('wallet.rp.you_opened_one');
  } else if (rp && sameId(rp.sender.id ?? '', me)) {
    text = t('wallet.rp.they_opened_yours', { name: opener });
  } else if (owner) {
    text = t('wallet.rp.they_opened', { name: opener, owner });
  }
  return (
    <div class="msg-system rp-opened-note" data-seq={m.seq} data-kind="red_packet_opened" data-red-packet-id={id === undefined ? undefined : String(id)}>
      <span class="rp-opened-icon" aria-hidden="true" />
      <span class="bubble-text">{text}</span>
    </div>
  );
}
