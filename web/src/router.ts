// Routes of the shell. Pages are lazy-loaded; roles in `meta.roles` limit who may open a page
// (the server enforces the same rules: hiding is only a courtesy).
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session } from './session';
import type { Role } from './types';
import { isPhoneScreen, phoneHome } from './phone/tabs';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    roles?: readonly Role[];
    titleKey?: string;
  }
}

export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const TOKEN_ROLES: readonly Role[] = ['integrator', 'admin'];
/** Who reads dispute cases (cases:read on the server). */
export const CASE_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'grid_worker', 'mediator', 'leader', 'admin'];
export const MEDIATOR_ONLY: readonly Role[] = ['mediator'];
export const RESPONDER_ONLY: readonly Role[] = ['responder'];
/** Who sees the device screens (devices:read). */
export const DEVICE_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'responder', 'leader', 'integrator', 'admin'];
/** notify:read / notify:manage / students:read on the server. */
export const NOTIFY_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'integrator', 'admin'];
export const CHANNEL_ROLES: readonly Role[] = ['county_operator', 'integrator', 'admin'];
export const STUDENT_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'admin'];
/** Who reads alerts (alerts:read on the server); who edits zones and rules (rules:write). */
export const ALERT_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'grid_worker', 'responder', 'leader', 'integrator', 'admin'];
/** Who reads indicators (indicators:read on the server). */
export const INDICATOR_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'town_officer', 'leader', 'admin'];
export const RULE_ROLES: readonly Role[] = ['city_commander', 'county_operator', 'integrator', 'admin'];

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
  },
  {
    // The phone shell of the field roles: bottom tabs (phone/tabs.ts), one page per tab; see phone/tabs.ts for how
    // a module adds its phone pages.
    path: '/m',
    component: () => import('./layouts/PhoneLayout.vue'),
    children: [
      { path: 'cases', name: 'my-cases', component: () => import('./views/cases/MediatorPhoneView.vue'), meta: { titleKey: 'cases.mine.title', roles: MEDIATOR_ONLY } },
      { path: 'tasks', name: 'my-tasks', component: () => import('./views/warning/ResponderTasksView.vue'), meta: { titleKey: 'warning.phone.title', roles: RESPONDER_ONLY } },
      { path: 'alerts', name: 'phone-alerts', component: () => import('./views/phone/PhoneAlertsView.vue'), meta: { titleKey: 'phone.alertsTitle', roles: ALERT_ROLES } },
      { path: 'me', name: 'phone-me', component: () => import('./views/phone/PhoneMeView.vue'), meta: { titleKey: 'phone.tabs.me' } },
    ],
  },
  {
    // The command centre's big screen: full screen, for a video wall.
    path: '/screen',
    name: 'big-screen',
    component: () => import('./views/warning/BigScreenView.vue'),
    meta: { titleKey: 'warning.menu.screen', roles: ALERT_ROLES },
  },
  {
    path: '/',
    component: () => import('./layouts/ShellLayout.vue'),
    children: [
      { path: '', name: 'overview', component: () => import('./views/OverviewView.vue'), meta: { titleKey: 'menu.overview' } },
      { path: 'areas', name: 'areas', component: () => import('./views/AreasView.vue'), meta: { titleKey: 'menu.areas' } },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { titleKey: 'menu.users', roles: ADMIN_ONLY },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/AuditView.vue'),
        meta: { titleKey: 'menu.audit', roles: ADMIN_ONLY },
      },
      {
        path: 'tokens',
        name: 'tokens',
        component: () => import('./views/TokensView.vue'),
        meta: { titleKey: 'menu.tokens', roles: TOKEN_ROLES },
      },
      { path: 'devices', name: 'devices', component: () => import('./views/devices/DevicesView.vue'), meta: { titleKey: 'devices.menu.list', roles: DEVICE_ROLES } },
      { path: 'devices/:id', name: 'device-detail', component: () => import('./views/devices/DeviceDetailView.vue'), meta: { titleKey: 'devices.menu.list', roles: DEVICE_ROLES } },
      { path: 'device-map', name: 'device-map', component: () => import('./views/devices/DevicesMapView.vue'), meta: { titleKey: 'devices.menu.map', roles: DEVICE_ROLES } },
      { path: 'cases', name: 'cases', component: () => import('./views/cases/CaseBoardView.vue'), meta: { titleKey: 'cases.menu.board', roles: CASE_ROLES } },
      { path: 'cases/:id', name: 'case-detail', component: () => import('./views/cases/CaseDetailView.vue'), meta: { titleKey: 'cases.menu.board', roles: CASE_ROLES } },
      { path: 'indicators', name: 'indicators', component: () => import('./views/indicators/IndicatorsView.vue'), meta: { titleKey: 'indicators.menu.desk', roles: INDICATOR_ROLES } },
      { path: 'alerts', name: 'alerts', component: () => import('./views/warning/AlertConsoleView.vue'), meta: { titleKey: 'warning.menu.console', roles: ALERT_ROLES } },
      { path: 'zones', name: 'zones', component: () => import('./views/warning/ZonesView.vue'), meta: { titleKey: 'warning.menu.zones', roles: ALERT_ROLES } },
      { path: 'rules', name: 'rules', component: () => import('./views/warning/RulesView.vue'), meta: { titleKey: 'warning.menu.rules', roles: ALERT_ROLES } },
      { path: 'case-stats', name: 'case-stats', component: () => import('./views/cases/CaseStatsView.vue'), meta: { titleKey: 'cases.menu.stats', roles: CASE_ROLES } },
      { path: 'mediation-centres', name: 'mediation-centres', component: () => import('./views/cases/CentresView.vue'), meta: { titleKey: 'cases.menu.centres', roles: CASE_ROLES } },
      { path: 'notifications', name: 'notifications', component: () => import('./views/notify/NotificationsView.vue'), meta: { titleKey: 'notify.menu.log', roles: NOTIFY_ROLES } },
      { path: 'notify-channels', name: 'notify-channels', component: () => import('./views/notify/ChannelsView.vue'), meta: { titleKey: 'notify.menu.channels', roles: CHANNEL_ROLES } },
      { path: 'inbox', name: 'inbox', component: () => import('./views/notify/InboxView.vue'), meta: { titleKey: 'notify.menu.inbox' } },
      { path: 'students', name: 'students', component: () => import('./views/students/StudentsView.vue'), meta: { titleKey: 'students.menu.library', roles: STUDENT_ROLES } },
      { path: 'face-search', name: 'face-search', component: () => import('./views/students/FaceSearchView.vue'), meta: { titleKey: 'students.menu.search', roles: STUDENT_ROLES } },
      {
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { titleKey: 'common.notFound' },
      },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  let user = null;
  try {
    user = await session.ensure();
  } catch {
    // Server unreachable: public pages still open; others go to the login page, which shows the error on submit.
  }
  if (to.meta.public) {
    return user && to.name === 'login' ? { path: '/' } : true;
  }
  if (!user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  // On a phone, a field role's start page is its phone home (the desk stays reachable with ?desk=1).
  const home = phoneHome(user.role);
  if (to.name === 'overview' && home && isPhoneScreen() && to.query.desk === undefined) return { path: home };
  if (!session.hasRole(to.meta.roles)) {
    return home && isPhoneScreen() ? { path: home } : { name: 'overview' };
  }
  return true;
});
