// The signed-in user, shared by the router guard, the header and the pages.
import { computed, ref } from 'vue';
import { api, ApiError } from './api';
import type { Role, SessionUser } from './types';

const user = ref<SessionUser | null>(null);
let loaded = false;
let pending: Promise<SessionUser | null> | null = null;

export const session = {
  user,
  isAdmin: computed(() => user.value?.role === 'admin'),

  /** Loads the current user once (null when not signed in). */
  async ensure(): Promise<SessionUser | null> {
    if (loaded) return user.value;
    pending ??= api
      .me()
      .then((me) => {
        user.value = me;
        loaded = true;
        return me;
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          user.value = null;
          loaded = true;
          return null;
        }
        throw err; // not "signed out": let the next navigation ask again
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  },

  async login(username: string, password: string): Promise<SessionUser> {
    const result = await api.login(username, password);
    user.value = result.user;
    loaded = true;
    return result.user;
  },

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      session.forget();
    }
  },

  /** Drops the local state, e.g. after the server answered 401. */
  forget(): void {
    user.value = null;
    loaded = true;
  },

  hasRole(roles: readonly Role[] | undefined): boolean {
    if (!roles || roles.length === 0) return true;
    return user.value !== null && roles.includes(user.value.role);
  },
};
