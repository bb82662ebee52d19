// The phone shell's tabs and homes. Convention for phone pages (other modules plug in here):
//   1. add the page as a child route of `/m` in router.ts (path `m/<name>`, meta.roles as usual);
//   2. add a tab below (order: the user's own tasks first); the first tab a role sees is its phone home.
// The shell (layouts/PhoneLayout.vue) draws the bottom tabs; each page draws its own header.
import type { Role } from '../types';

export interface PhoneTab {
  path: string;
  /** i18n key of the label. */
  labelKey: string;
  /** An @element-plus/icons-vue icon name. */
  icon: 'Bell' | 'List' | 'ChatDotRound' | 'User' | 'Location' | 'House';
  roles: readonly Role[];
}

/** The field roles: they get the phone shell on a phone-sized screen. */
export const FIELD_ROLES: readonly Role[] = ['responder', 'grid_worker', 'mediator'];

export const PHONE_TABS: PhoneTab[] = [
  { path: '/m/tasks', labelKey: 'phone.tabs.tasks', icon: 'Bell', roles: ['responder'] },
  { path: '/m/cases', labelKey: 'phone.tabs.cases', icon: 'ChatDotRound', roles: ['mediator'] },
  { path: '/m/alerts', labelKey: 'phone.tabs.alerts', icon: 'List', roles: ['grid_worker', 'responder'] },
  { path: '/m/me', labelKey: 'phone.tabs.me', icon: 'User', roles: FIELD_ROLES },
];

export function tabsFor(role: Role | undefined): PhoneTab[] {
  return role ? PHONE_TABS.filter((t) => t.roles.includes(role)) : [];
}

/** The phone home of a role (its first tab), or null for desk roles. */
export function phoneHome(role: Role | undefined): string | null {
  return tabsFor(role)[0]?.path ?? null;
}

/** A phone-sized screen: the narrow side under 768 px. */
export function isPhoneScreen(): boolean {
  return typeof window !== 'undefined' && Math.min(window.innerWidth, window.screen?.width || window.innerWidth) < 768;
}
