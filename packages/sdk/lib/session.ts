/**
 * A session helper for browser apps (docs/api.md, "For SPA developers"): keeps the token pair in
 * localStorage, shared by the app's tabs, and refreshes it once for all of them (Web Locks where
 * present; else the server's 30-second grace window covers tabs refreshing at once).
 *
 *   const session = createSession({ url: 'https://api.example/graphql' });
 *   session.signedIn(loginPayload);                       // after login / register
 *   const response = await session.fetch(body, { idempotent: true });   // refreshes on TOKEN_EXPIRED, retries once
 *   createClient({ url: wsUrl, connectionParams: session.connectionParams, retryAttempts: 10 }); // graphql-ws
 */

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface SessionOptions {
  /** The GraphQL endpoint (POST). */
  url: string;
  /** Where the pair is kept (the tabs of one origin share it). */
  storageKey?: string;
  /** Refresh when the access token expires within this many seconds. */
  refreshAheadSeconds?: number;
  /** Called when the session cannot be refreshed (signed out, revoked, reused). */
  onSignedOut?: () => void;
}

const REFRESH = `mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken } }`;

function expiresAt(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return (payload.exp ?? 0) * 1000;
  } catch {
    return 0;
  }
}

function randomKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export interface Session {
  signedIn(pair: TokenPair): void;
  signOut(): void;
  tokens(): TokenPair | null;
  /** An access token valid for a while yet, refreshing first when needed; null when signed out. */
  freshAccessToken(): Promise<string | null>;
  /** Refreshes once for every tab: a tab that finds the pair already rotated by another uses it. */
  refresh(): Promise<TokenPair | null>;
  /**
   * POSTs a GraphQL request with the access token; on 401 TOKEN_EXPIRED refreshes and retries once
   * (with the same Idempotency-Key when `idempotent`).
   */
  fetch(body: { query: string; variables?: unknown; operationName?: string }, options?: { idempotent?: boolean }): Promise<Response>;
  /** graphql-ws `connectionParams`: a fresh token on every (re)connect. */
  connectionParams(): Promise<Record<string, string>>;
}

export function createSession(options: SessionOptions): Session {
  const key = options.storageKey ?? 'foliograph.session';
  const ahead = (options.refreshAheadSeconds ?? 60) * 1000;
  let inFlight: Promise<TokenPair | null> | null = null;

  const read = (): TokenPair | null => {
    const text = globalThis.localStorage?.getItem(key);
    return text ? (JSON.parse(text) as TokenPair) : null;
  };
  const write = (pair: TokenPair | null) => {
    if (pair) globalThis.localStorage?.setItem(key, JSON.stringify(pair));
    else globalThis.localStorage?.removeItem(key);
  };

  async function rotate(seen: string | undefined): Promise<TokenPair | null> {
    const current = read();
    if (!current) return null;
    // Another tab refreshed while this one waited for the lock: its pair is ours too.
    if (seen !== undefined && current.refreshToken !== seen) return current;
    const response = await globalThis.fetch(options.url, {
      method: 'POST',
      // No Authorization: an expired access token would refuse the request whole (401).
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: REFRESH, variables: { refreshToken: current.refreshToken } }),
    });
    const body = (await response.json()) as { data?: { refreshToken?: TokenPair }; errors?: unknown[] };
    const pair = body.data?.refreshToken;
    if (!pair) {
      write(null);
      options.onSignedOut?.();
      return null;
    }
    const next = { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
    write(next);
    return next;
  }

  const session: Session = {
    signedIn: (pair) => write({ accessToken: pair.accessToken, refreshToken: pair.refreshToken }),
    signOut: () => write(null),
    tokens: read,
    refresh() {
      if (inFlight) return inFlight;
      const seen = read()?.refreshToken;
      const locks = globalThis.navigator?.locks;
      const run = locks
        ? locks.request('foliograph-refresh', async (): Promise<TokenPair | null> => rotate(seen)).then((pair) => pair)
        : rotate(seen);
      const flight = run.finally(() => {
        inFlight = null;
      });
      inFlight = flight;
      return flight;
    },
    async freshAccessToken() {
      const pair = read();
      if (!pair) return null;
      if (expiresAt(pair.accessToken) - Date.now() > ahead) return pair.accessToken;
      return (await session.refresh())?.accessToken ?? null;
    },
    async fetch(body, fetchOptions = {}) {
      const idempotencyKey = fetchOptions.idempotent ? randomKey() : undefined;
      const send = (token: string | null) =>
        globalThis.fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(token && { authorization: `Bearer ${token}` }),
            ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
          },
          body: JSON.stringify(body),
        });
      const first = await send(await session.freshAccessToken());
      if (first.status !== 401) return first;
      const reason = ((await first.clone().json()) as { errors?: Array<{ extensions?: { reason?: string } }> }).errors?.[0]?.extensions
        ?.reason;
      if (reason !== 'TOKEN_EXPIRED') return first;
      const refreshed = await session.refresh();
      return refreshed ? send(refreshed.accessToken) : first;
    },
    async connectionParams() {
      const token = await session.freshAccessToken();
      const params: Record<string, string> = {};
      if (token) params.authorization = `Bearer ${token}`;
      return params;
    },
  };
  return session;
}
