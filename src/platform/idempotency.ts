/**
 * Idempotency-Key on mutations (contract, "Transport"; the IETF draft
 * "The Idempotency-Key HTTP Header Field"): for 24 hours, across replicas (Redis), the same key
 * from the same caller (user or API token) with the same body answers the first response again,
 * marked `Idempotent-Replayed: true`, without running the mutation again; another body with the
 * key is 422 IDEMPOTENCY_KEY_REUSED; a request while the first still runs is 409
 * IDEMPOTENCY_KEY_IN_USE.
 *
 * Only answers worth repeating are kept: a 5xx or 429 (the mutation may not have run) frees the
 * key, so the client's retry runs. A crash while running frees it after RUNNING_TTL_SECONDS.
 * Without Redis the header is ignored (the request runs, as it would without the header).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from './redis.js';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How long a key stays "in use" if its process dies before answering. */
const RUNNING_TTL_SECONDS = 120;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

interface Stored {
  fingerprint: string;
  state: 'running' | 'done';
  status?: number;
  contentType?: string;
  body?: string;
}

export type IdempotencyOutcome =
  | { kind: 'run' }
  | { kind: 'replayed' }
  | {
      kind: 'refused';
      status: 400 | 409 | 422;
      code: 'BAD_USER_INPUT' | 'IDEMPOTENCY_KEY_IN_USE' | 'IDEMPOTENCY_KEY_REUSED';
      message: string;
    };

const pending = new WeakMap<FastifyRequest, { redisKey: string; fingerprint: string }>();

export class Idempotency {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly warn: (error: unknown) => void,
  ) {}

  /**
   * Installs the hook that keeps a claimed request's answer (register before the routes, so it
   * reaches every route's context).
   */
  install(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = pending.get(request);
      if (!claim) return payload;
      pending.delete(request);
      const status = reply.statusCode;
      try {
        if (status >= 500 || status === 429 || typeof payload !== 'string') {
          await this.redis.del(claim.redisKey);
        } else {
          const stored: Stored = {
            fingerprint: claim.fingerprint,
            state: 'done',
            status,
            contentType: String(reply.getHeader('content-type') ?? 'application/json'),
            body: payload,
          };
          await this.redis.set(claim.redisKey, JSON.stringify(stored), 'EX', IDEMPOTENCY_TTL_SECONDS);
        }
      } catch (error) {
        this.warn(error);
      }
      return payload;
    });
  }

  /**
   * For a mutation by `scope` (a user or API token): claims the request's Idempotency-Key, or
   * answers it (a replay, or a refusal the caller sends in its own error shape). No header: run.
   * `what` is the request as compared for "the same request" (the body unless said otherwise).
   */
  async begin(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: string,
    what: unknown = request.body ?? null,
  ): Promise<IdempotencyOutcome> {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return { kind: 'run' };
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!KEY_PATTERN.test(key)) {
      return {
        kind: 'refused',
        status: 400,
        code: 'BAD_USER_INPUT',
        message: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
      };
    }
    const redisKey = `${this.prefix}idempotency:${createHash('sha256').update(`${scope}\n${key}`).digest('hex')}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(what)}`)
      .digest('hex');
    let existing: string | null;
    try {
      const running: Stored = { fingerprint, state: 'running' };
      const claimed = await this.redis.set(redisKey, JSON.stringify(running), 'EX', RUNNING_TTL_SECONDS, 'NX');
      if (claimed === 'OK') {
        pending.set(request, { redisKey, fingerprint });
        return { kind: 'run' };
      }
      existing = await this.redis.get(redisKey);
    } catch (error) {
      this.warn(error);
      return { kind: 'run' };
    }
    // Freed between the two commands: the client may retry.
    if (!existing)
      return {
        kind: 'refused',
        status: 409,
        code: 'IDEMPOTENCY_KEY_IN_USE',
        message: 'A request with this Idempotency-Key is running; retry later',
      };
    const stored = JSON.parse(existing) as Stored;
    if (stored.fingerprint !== fingerprint) {
      return {
        kind: 'refused',
        status: 422,
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This Idempotency-Key was used with another request; use a new key for a new request',
      };
    }
    if (stored.state === 'running') {
      return {
        kind: 'refused',
        status: 409,
        code: 'IDEMPOTENCY_KEY_IN_USE',
        message: 'A request with this Idempotency-Key is running; retry later',
      };
    }
    reply.header('idempotent-replayed', 'true').header('content-type', stored.contentType ?? 'application/json');
    await reply.status(stored.status ?? 200).send(stored.body);
    return { kind: 'replayed' };
  }
}
