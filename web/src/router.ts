// Routes of the shell. Pages are lazy-loaded; roles in `meta.roles` limit who may open a page
// (the server enforces the same rules: hiding is only a courtesy).
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session } from './session';
import type { Role } from './types';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    roles?: readonly Role[];
    titleKey?: string;
  }
}

export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const TOKEN_ROLES: readonly Role[] = ['integrator', 'admin'];

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
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
  if (!session.hasRole(to.meta.roles)) {
    return { name: 'overview' };
  }
  return true;
});
