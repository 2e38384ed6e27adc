// Wires the socket to the chat store for one signed-in session.
import { ApiError, type Id } from '../api';
import { t } from '../i18n';
import { errorText } from '../i18n/errors';
import { startSocket, stopSocket, type ServerFrame } from './socket';
import { conversationChanged, loadConversations, readElsewhere, receive, resetChat, resync } from './store';
import { onAck, onSendError, onSocketDown, resetSending } from './send';
import { loadSession } from '../session';
import { onMessageGone } from './actions';
import { onTrustFrame, refreshNotices, startTrust, stopTrust } from '../trust/live';
import { clearTyping, loadSettings, onPresenceFrame, onReadFrame, onTypingFrame, resetPresence } from './presence';
import { applyBalance, refreshWallet, resetWallet, startWallet, wallet } from '../wallet/store';
import { onTransactionFrame, refreshOpenTransfers, resetTransfers } from '../wallet/transfers';
import type { Message } from './api';

const messageListeners = new Set<(m: Message) => void>();

/** Calls fn with each message the socket delivers, after the store has it (notifications). */
export function onIncomingMessage(fn: (m: Message) => void): () => void {
  messageListeners.add(fn);
  return () => messageListeners.delete(fn);
}

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'message':
      receive(f.message.conversation_id, [f.message]);
      clearTyping(f.message.conversation_id, f.message.sender.id);
      messageListeners.forEach((fn) => fn(f.message));
      break;
    case 'ack':
      onAck(f.client_id);
      if (f.message) receive(f.message.conversation_id, [f.message]);
      break;
    case 'error':
      if (f.client_id) onSendError(f.client_id, f.error?.code ? errorText(new ApiError(400, f.error.code, f.error.message)) : t('chat.conv.not_sent'), f.error?.code);
      break;
    case 'read':
      readElsewhere(f.conversation_id, f.user_id, f.seq);
      onReadFrame(f.conversation_id, f.user_id, f.seq);
      break;
    case 'typing':
      onTypingFrame(f.conversation_id, f.user_id);
      break;
    case 'presence':
      onPresenceFrame(f.user_id, f);
      break;
    case 'conversation':
      conversationChanged(f.conversation);
      break;
    case 'wallet':
      applyBalance(f.balance);
      break;
    case 'trust':
      onTrustFrame(f);
      break;
    case 'transaction':
      onTransactionFrame(f);
      break;
    case 'recalled':
    case 'hidden':
      onMessageGone(f.type, f.conversation_id, f.message_id, f.seq);
      break;
    default:
      break; // anything newer: not ours to handle
  }
}

export function startChat(meId: Id): void {
  resetChat(meId);
  resetSending();
  startWallet(meId);
  startTrust();
  void loadConversations();
  void loadSettings();
  // Signed out elsewhere: ask who we are, which shows the login page.
  startSocket({ onFrame, onReady, onDown: onSocketDown, onSignedOut: () => void loadSession() });
}

function onReady(): void {
  void resync();
  // Policy frames may have been missed while the socket was down.
  void refreshNotices();
  // Balance frames may have been missed while the socket was down.
  if (wallet.get().balances !== null) void refreshWallet();
  // So may transfers' decisions.
  refreshOpenTransfers();
}

export function stopChat(): void {
  stopSocket();
  resetSending();
  resetChat();
  resetPresence();
  resetWallet();
  resetTransfers();
  stopTrust();
}
