import { createStore } from './store';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error' | 'success';
}

export const toasts = createStore<Toast[]>([]);

let nextId = 1;

/** Shows a short message near the bottom of the app column. */
export function showToast(text: string, kind: Toast['kind'] = 'info', ms = 3000): void {
  const id = nextId++;
  toasts.set((list) => [...list.slice(-2), { id, text, kind }]);
  window.setTimeout(() => toasts.set((list) => list.filter((t) => t.id !== id)), ms);
}
