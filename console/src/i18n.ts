/**
 * The console's language: Chinese unless the person switched to English, which is
 * remembered in localStorage. `t` fills `{placeholders}`; `pick` chooses from a {zh,en} text.
 */
import { zh, type MessageKey } from './messages.js';
import { en } from './messages-en.js';

const MESSAGES = { zh, en };

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'applyfree.console.lang';

let lang: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';

export const currentLang = (): Lang => lang;

/** Switches language for good (this browser) and updates the page's lang attribute. */
export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = (lang === 'en' ? MESSAGES.en[key] : undefined) ?? MESSAGES.zh[key];
  return text.replace(/\{(\w+)\}/g, (_match, name: string) => String(vars[name] ?? `{${name}}`));
}

/** Looks a key up that is built from data (a status, a role); falls back to the raw value. */
export function tOr(key: string, fallback: string): string {
  return key in MESSAGES.zh ? t(key as MessageKey) : fallback;
}

export function pick(text: { zh?: string; en?: string } | undefined): string {
  if (!text) return '';
  return (lang === 'en' ? text.en || text.zh : text.zh || text.en) ?? '';
}

/** Numbers and dates in the current language's conventions. */
export const formatNumber = (value: number): string => value.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
export const formatTime = (value: string | Date): string =>
  new Date(value).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
