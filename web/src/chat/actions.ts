// Conversation-level actions used by pages and sheets.
import type { Id } from '../api';
import { navigate } from '../router';
import { chatApi, type Conversation } from './api';
import { removeLocal, upsertLocal } from './store';

export const conversationPath = (id: Id) => '/chats/' + encodeURIComponent(String(id));

/** Opens (creating if needed) the direct conversation with a contact. */
export async function openDirectChat(username: string): Promise<Conversation> {
  const { conversation } = await chatApi.openDirect(username);
  upsertLocal(conversation);
  navigate(conversationPath(conversation.id));
  return conversation;
}

export async function createGroupChat(title: string, usernames: string[]): Promise<Conversation> {
  const { conversation } = await chatApi.createGroup(title, usernames);
  upsertLocal(conversation);
  navigate(conversationPath(conversation.id));
  return conversation;
}

export async function addGroupMembers(id: Id, usernames: string[]): Promise<Conversation> {
  const { conversation } = await chatApi.addMembers(id, usernames);
  upsertLocal(conversation);
  return conversation;
}

export async function leaveGroup(id: Id): Promise<void> {
  await chatApi.leave(id);
  navigate('/chats', { replace: true });
  removeLocal(id);
}
