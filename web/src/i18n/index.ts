// i18n setup: zh-CN by default, English on request; the choice is kept in localStorage.
import { computed } from 'vue';
import { createI18n } from 'vue-i18n';
import elZhCn from 'element-plus/es/locale/lang/zh-cn';
import elEn from 'element-plus/es/locale/lang/en';
import zhCN, { type Messages } from './zh-CN';
import en from './en';
import { ApiError } from '../api';
import { issuesOf, issueText } from '../fieldErrors';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
const STORAGE_KEY = 'shiyu.locale';

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // Storage may be blocked (private mode); fall back to the default.
  }
  return 'zh-CN';
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

const global = i18n.global;

export function setLocale(locale: Locale): void {
  global.locale.value = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered, but still switched.
  }
  document.documentElement.lang = locale;
}

/** Element Plus's own texts (date pickers, pagination, …) follow the chosen language. */
export const elementLocale = computed(() => (global.locale.value === 'en' ? elEn : elZhCn));

function hasMessage(path: string): boolean {
  let node: unknown = zhCN;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}

/**
 * An error as the user should read it: our own wording for known codes, else a wording chosen by the HTTP status,
 * else the server's message.
 */
export function errorText(err: unknown): string {
  const { t } = global;
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`;
    if (hasMessage(key)) return t(key);
    if (err.status === 400 || err.status === 422 || err.code.startsWith('validation')) {
      // Each issue names the field in the user's words and says what is wrong with it.
      const issues = issuesOf(err.details);
      return t('errors.validation', { message: issues.length ? issues.map(issueText).join('；') : err.message });
    }
    if (err.status === 403) return t('errors.forbidden');
    if (err.status === 404) return t('errors.not_found');
    if (err.status === 429) return t('errors.rate_limited');
    return t('errors.generic', { message: err.message || err.code });
  }
  return t('errors.generic', { message: err instanceof Error ? err.message : String(err) });
}
