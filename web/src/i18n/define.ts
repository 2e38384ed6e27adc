// The shape of a message catalogue. Every domain of the client (chat, wallet,
// people, …) keeps its strings in messages/<domain>.ts as one defineMessages
// call: the English sentences first, then every other locale with exactly the
// same keys, so a missing or stray translation is a type error.

/** A plural message, chosen by Intl.PluralRules on params.count. */
export interface Plural {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

/** One message: a sentence with {name} placeholders, or a plural. */
export type Msg = string | Plural;

/** The locales Plaza ships, in the order Settings lists them. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Domain<K extends string> {
  en: Record<K, Msg>;
  'zh-CN': Record<K, Msg>;
}

/**
 * defineMessages declares a domain's catalogue. Keys are "<domain>.<name>"
 * by convention (chat.send, wallet.balance); zh-CN must carry every English
 * key and no other.
 */
export function defineMessages<const E extends Record<string, Msg>>(
  en: E,
  zh: { [K in keyof E]: Msg },
): Domain<Extract<keyof E, string>> {
  return { en, 'zh-CN': zh } as Domain<Extract<keyof E, string>>;
}
