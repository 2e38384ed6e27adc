// Whether the signed-in user owns a merchant: Me shows the merchant
// console only to owners; others find "Open a shop" in Settings.
import type { Id } from '../../api';
import { merchantApi } from '../../pay/api';
import { createStore, useStore } from '../../store';

const ownership = createStore<{ user: string; owns: boolean } | null>(null);

/** Whether userId owns a merchant; null until known (kept per user, so another sign-in never sees the last one's). */
export function useOwnsMerchant(userId: Id): boolean | null {
  const o = useStore(ownership);
  return o && o.user === String(userId) ? o.owns : null;
}

export async function refreshMerchantOwnership(userId: Id): Promise<void> {
  try {
    const r = await merchantApi.list();
    ownership.set({ user: String(userId), owns: (r.items ?? []).length > 0 });
  } catch {
    // keep what we knew: the entry neither flickers nor appears by mistake
  }
}
