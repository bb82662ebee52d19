// A small typed client for the Shiyu server. Every call goes to the same origin with the session cookie;
// a non-2xx answer becomes an ApiError carrying the server's stable error code and message.
import type {
  Area,
  AreaSearchHit,
  ApiToken,
  AuditQuery,
  AuditRecord,
  BoundaryCollection,
  CreatedToken,
  Items,
  LoginResult,
  NewUser,
  Page,
  PublicConfig,
  SessionUser,
  User,
  UserPatch,
} from './types';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Query = Record<string, string | number | undefined | null>;

let unauthorizedHandler: (() => void) | null = null;

/** Called when an authenticated request answers 401 (expired or revoked session). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; quiet401?: boolean } = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  };
  if (options.body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), init);
  } catch (cause) {
    throw new ApiError(0, 'network.unreachable', cause instanceof Error ? cause.message : String(cause));
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = (data as ErrorBody | null)?.error;
    const code = typeof err?.code === 'string' ? err.code : `http.${response.status}`;
    const message = typeof err?.message === 'string' ? err.message : response.statusText;
    if (response.status === 401 && !options.quiet401) unauthorizedHandler?.();
    throw new ApiError(response.status, code, message, err?.details);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) =>
    request<LoginResult>('POST', '/api/auth/login', { body: { username, password }, quiet401: true }),
  logout: () => request<{ ok: true }>('POST', '/api/auth/logout', { quiet401: true }),
  me: async () => {
    // Accept both `{ user }` and the bare user object.
    const data = await request<SessionUser | { user: SessionUser }>('GET', '/api/auth/me', { quiet401: true });
    return 'user' in data ? data.user : data;
  },
  publicConfig: () => request<PublicConfig>('GET', '/api/config/public'),

  area: (code: string) => request<Area>('GET', `/api/areas/${enc(code)}`),
  areaChildren: (code: string) => request<Items<Area>>('GET', `/api/areas/${enc(code)}/children`),
  searchAreas: (q: string, limit = 20) => request<Items<AreaSearchHit>>('GET', '/api/areas', { query: { q, limit } }),
  boundaries: (code: string, level?: 'town' | 'village') =>
    request<BoundaryCollection>('GET', `/api/areas/${enc(code)}/boundaries`, level ? { query: { level } } : {}),
  createGrid: (parentCode: string, name: string) => request<Area>('POST', '/api/areas', { body: { parentCode, name } }),

  users: (query: { q?: string; page: number; pageSize: number }) => request<Page<User>>('GET', '/api/users', { query }),
  createUser: (body: NewUser) => request<User>('POST', '/api/users', { body }),
  updateUser: (id: User['id'], body: UserPatch) => request<User>('PATCH', `/api/users/${enc(String(id))}`, { body }),
  revokeSessions: (id: User['id']) =>
    request<{ revoked: number }>('POST', `/api/users/${enc(String(id))}/revoke-sessions`),
  revealPhone: (id: User['id']) =>
    request<{ phone: string | null }>('POST', `/api/users/${enc(String(id))}/reveal-phone`),

  audit: (query: AuditQuery) => request<Page<AuditRecord>>('GET', '/api/audit', { query: { ...query } }),

  tokens: () => request<Items<ApiToken>>('GET', '/api/tokens'),
  createToken: (name: string, days?: number) => request<CreatedToken>('POST', '/api/tokens', { body: { name, days } }),
  revokeToken: (id: ApiToken['id']) => request<{ ok: true }>('DELETE', `/api/tokens/${enc(String(id))}`),
};
