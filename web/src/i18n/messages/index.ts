// Every domain's catalogue, merged per locale. A domain is added here once;
// its owner edits only messages/<domain>.ts.
import type { Locale, Msg } from '../define';
import { common } from './common';
import { errors } from './errors';
import { shell } from './shell';
import { chat } from './chat';
import { wallet } from './wallet';
import { people } from './people';
import { settings } from './settings';
import { discover } from './discover';
import { admin } from './admin';
import { notify } from './notify';
import { ui } from './ui';
import { live } from './live';

const domains = [common, errors, shell, chat, wallet, people, settings, discover, admin, notify, ui, live] as const;

type Keys<D> = D extends { en: Record<infer K, Msg> } ? K : never;
export type MessageKey = Keys<(typeof domains)[number]>;

function merge(locale: Locale): Record<MessageKey, Msg> {
  const out = {} as Record<MessageKey, Msg>;
  for (const d of domains) Object.assign(out, d[locale]);
  return out;
}

export const catalogues: Record<Locale, Record<MessageKey, Msg>> = {
  en: merge('en'),
  'zh-CN': merge('zh-CN'),
};
