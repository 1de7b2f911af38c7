/**
 * Persisted operations, as Mercurius' `persistedQueryProvider`:
 * - automatic persisted queries (Apollo's APQ protocol): a client sends
 *   `extensions.persistedQuery: { version: 1, sha256Hash }` without the query; an unknown hash is
 *   answered `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND) and the client retries with
 *   the query, which is then registered. Registered queries live in Redis (so every replica knows
 *   them) with a small in-process cache in front. Only a signed-in caller's retry registers a
 *   query (the request budget and the per-user limits then bound what one client can store):
 *   an anonymous retry runs, registers nothing, and the hash stays PersistedQueryNotFound for
 *   anonymous callers until a signed-in client has sent it.
 * - trusted documents (`TRUSTED_DOCUMENTS=only`, for production): only the typed SDK's own
 *   operations run, found by their hash (the manifest codegen writes next to the SDK) or by
 *   their text (the client's own text runs, `__typename` included); an unknown hash is
 *   PersistedQueryNotFound, any other text is refused with FORBIDDEN.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { parse, print, visit, type DocumentNode } from 'graphql';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { TransportRefusal } from './transport.js';

interface PersistedQueryBody {
  query?: unknown;
  extensions?: { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null;
  documentId?: unknown;
}

/** Mercurius' provider interface (lib/routes.js). */
export interface PersistedQueryProvider {
  isPersistedQuery(body: PersistedQueryBody): boolean;
  isPersistedQueryRetry(body: PersistedQueryBody): boolean;
  /** '' when the request carries no usable hash (Mercurius then answers PersistedQueryNotSupported). */
  getHash(body: PersistedQueryBody): string;
  getQueryFromHash(hash: string): Promise<string | undefined>;
  getHashForQuery(query: string): string;
  saveQuery(hash: string, query: string): Promise<void>;
  notFoundError: string;
  notSupportedError: string;
  mismatchError: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** How long a registered query is kept after its registration (refreshed on every use). */
const APQ_TTL_SECONDS = 7 * 24 * 3600;
/** The longest query we register (the body limit bounds it anyway; a registry should not grow on junk). */
const APQ_MAX_QUERY_BYTES = 100_000;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Set on a request body once the GraphQL context knows its caller: whether they are signed in. */
const CALLER_SIGNED_IN = Symbol('caller signed in');
type MarkedBody = { [CALLER_SIGNED_IN]?: boolean };

/** Records on the request body whether its caller is signed in (only their APQ retries register). */
export function markCaller(body: unknown, signedIn: boolean): void {
  if (body && typeof body === 'object') (body as MarkedBody)[CALLER_SIGNED_IN] = signedIn;
}

function persistedQueryOf(body: PersistedQueryBody) {
  const extensions = body.extensions;
  return extensions && typeof extensions === 'object' ? extensions.persistedQuery : undefined;
}

/** APQ with the registry in Redis under `<prefix>apq:<sha256>`. */
export function redisPersistedQueries(redis: Redis, prefix: string, log: FastifyBaseLogger): PersistedQueryProvider {
  const local = new LRUCache<string, string>({ max: 1000 });
  const key = (hash: string) => `${prefix}apq:${hash}`;
  return {
    isPersistedQuery: (body) => !body.query && !!persistedQueryOf(body),
    // Only a signed-in caller's retry (the context marks the body before Mercurius asks) checks
    // and saves its query; every caller's hash is checked against its query before that, in
    // the transport's preValidation hook (./transport.ts).
    isPersistedQueryRetry: (body) => !!body.query && !!persistedQueryOf(body) && (body as MarkedBody)[CALLER_SIGNED_IN] === true,
    getHash: (body) => {
      const persisted = persistedQueryOf(body);
      const hash = persisted?.sha256Hash;
      return persisted?.version === 1 && typeof hash === 'string' && SHA256_HEX.test(hash) ? hash : '';
    },
    async getQueryFromHash(hash) {
      const cached = local.get(hash);
      if (cached !== undefined) return cached;
      try {
        const query = await redis.getex(key(hash), 'EX', APQ_TTL_SECONDS);
        if (query !== null) local.set(hash, query);
        return query ?? undefined;
      } catch (err) {
        // Without Redis the client just sends the full query on its retry.
        log.warn({ err }, 'persisted query registry unavailable');
        return undefined;
      }
    },
    getHashForQuery: sha256,
    async saveQuery(hash, query) {
      if (Buffer.byteLength(query) > APQ_MAX_QUERY_BYTES || local.get(hash) === query) return;
      local.set(hash, query);
      await redis.set(key(hash), query, 'EX', APQ_TTL_SECONDS);
    },
    notFoundError: 'PersistedQueryNotFound',
    notSupportedError: 'PersistedQueryNotSupported',
    mismatchError: 'provided sha does not match query',
  };
}

/** A document in a comparable form: printed canonically, without `__typename` selections (clients add them). */
export function canonicalDocument(source: string | DocumentNode): string {
  const document = typeof source === 'string' ? parse(source, { noLocation: true }) : source;
  const byText = <T extends Parameters<typeof print>[0]>(list: readonly T[]) => [...list].sort((x, y) => (print(x) < print(y) ? -1 : 1));
  // Order-insensitive too: codegen's manifest sorts fields, arguments and variables.
  const stripped = visit(document, {
    Field: {
      enter: (node) => (node.name.value === '__typename' && !node.alias ? null : undefined),
      leave: (node) => ({ ...node, arguments: byText(node.arguments ?? []) }),
    },
    SelectionSet: { leave: (node) => ({ ...node, selections: byText(node.selections) }) },
    OperationDefinition: { leave: (node) => ({ ...node, variableDefinitions: byText(node.variableDefinitions ?? []) }) },
  });
  // Sorted definitions: a client may put the fragments in another order.
  const definitions = [...stripped.definitions].map((d) => print(d)).sort();
  return definitions.join('\n');
}

export interface TrustedManifest {
  /** hash (as written by codegen) → document */
  documents: Record<string, string>;
}

export function loadTrustedManifest(file: string): TrustedManifest {
  return { documents: JSON.parse(readFileSync(file, 'utf8')) as Record<string, string> };
}

const NOT_TRUSTED = 'This server runs only the operations of the foliograph SDK';

/**
 * Trusted documents only. A request runs when its text is one of the manifest's documents up to
 * `__typename` selections and order (canonicalDocument), and then its own text runs, so a
 * normalising cache (Apollo's) gets the `__typename` and fragments it asked for. A hash runs the
 * manifest's document, or a client text this process has already accepted under that hash
 * (Apollo's APQ link hashes its own printed text). An unknown hash is PersistedQueryNotFound, so
 * an APQ client sends the text next; only a text that is not trusted is FORBIDDEN.
 */
export function trustedDocuments(manifest: TrustedManifest): PersistedQueryProvider {
  const byHash = new Map<string, string>();
  const byCanonical = new Map<string, string>();
  for (const [key, document] of Object.entries(manifest.documents)) {
    const hash = key.replace(/^sha256:/, '');
    byHash.set(hash, document);
    // Clients hash what they print (Apollo: sha256 of graphql's print), so accept that hash too.
    byHash.set(sha256(print(parse(document))), document);
    byCanonical.set(canonicalDocument(document), hash);
  }
  // Client texts found trusted, by their sha256: only variants of trusted documents get in, and
  // the cache is bounded, so junk cannot grow it.
  const clientTexts = new LRUCache<string, string>({ max: 2000 });
  return {
    isPersistedQuery: () => true,
    getHash: (body) => {
      if (typeof body.query === 'string') {
        let canonical: string;
        try {
          canonical = canonicalDocument(body.query);
        } catch {
          throw new TransportRefusal(403, 'FORBIDDEN', NOT_TRUSTED, null);
        }
        if (!byCanonical.has(canonical)) throw new TransportRefusal(403, 'FORBIDDEN', NOT_TRUSTED, null);
        const hash = sha256(body.query);
        clientTexts.set(hash, body.query);
        return hash;
      }
      const persisted = persistedQueryOf(body);
      const hash = typeof body.documentId === 'string' ? body.documentId.replace(/^sha256:/, '') : persisted?.sha256Hash;
      // Known or not, a hash is looked up: an unknown one is PersistedQueryNotFound.
      if (typeof hash === 'string' && hash !== '') return hash;
      throw new TransportRefusal(403, 'FORBIDDEN', NOT_TRUSTED, null);
    },
    getQueryFromHash: async (hash) => byHash.get(hash) ?? clientTexts.get(hash),
    // Nothing is registered at run time.
    isPersistedQueryRetry: () => false,
    getHashForQuery: sha256,
    saveQuery: async () => {},
    notFoundError: 'PersistedQueryNotFound',
    notSupportedError: 'PersistedQueryNotSupported',
    mismatchError: 'provided sha does not match query',
  };
}
