/**
 * The yardstick for the read-path benchmark: a hand-written Fastify + `pg` server that answers
 * Q1 and Q2 with exactly the JSON foliograph's GraphQL answers, each with ONE SQL statement
 * (PostgreSQL builds the JSON). It verifies the same EdDSA access token against the API's JWKS,
 * so the comparison includes authentication but no GraphQL, no ORM, no authorization layer.
 *
 * Started by bench/read-path.bench.ts as its own process:
 *   PORT=… DATABASE_URL=… JWKS_URL=… JWT_ISSUER=… JWT_AUDIENCE=… tsx bench/baseline-route.ts
 */
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import pg from 'pg';

const env = process.env as Record<string, string>;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const jwks = createRemoteJWKSet(new URL(env.JWKS_URL!));

// The GraphQL shapes of Investment's four fields: Decimal as a plain string without trailing
// zeros, Date as YYYY-MM-DD; oldest first, as the Portfolio.investments connection orders them
// (an investment is a BUY transaction).
const INVESTMENTS = `
  coalesce((
    SELECT json_agg(json_build_object('node', json_build_object(
             'symbol', i.symbol, 'quantity', trim_scale(i.quantity)::text,
             'purchasePrice', trim_scale(i.price)::text,
             'purchaseDate', to_char(i.date, 'YYYY-MM-DD'))) ORDER BY i.created_at, i.id)
    FROM (SELECT * FROM transactions WHERE portfolio_id = p.id AND type = 'BUY' ORDER BY created_at, id LIMIT 50) i
  ), '[]'::json)`;

const Q1 = `
  SELECT json_build_object('data', json_build_object('portfolio',
    (SELECT json_build_object('name', p.name, 'investments', json_build_object('edges', ${INVESTMENTS}))
     FROM portfolios p WHERE p.id = $1 AND p.owner_id = $2))) AS body`;

const Q2 = `
  SELECT json_build_object('data', json_build_object('portfolios', json_build_object('edges', coalesce((
    SELECT json_agg(json_build_object('node', json_build_object('name', p.name,
             'investments', json_build_object('edges', ${INVESTMENTS}))) ORDER BY p.created_at DESC, p.id DESC)
    FROM (SELECT * FROM portfolios WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20) p
  ), '[]'::json)))) AS body`;

const app = Fastify({ logger: false });

async function viewer(authorization: string | undefined): Promise<string | null> {
  if (!authorization?.startsWith('Bearer ')) return null;
  try {
    const { payload } = await jwtVerify(authorization.slice(7), jwks, { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE });
    return payload.sub ?? null;
  } catch {
    return null;
  }
}

app.get('/health', async () => ({ status: 'ok' }));

app.post('/q1', async (request, reply) => {
  const userId = await viewer(request.headers.authorization);
  if (!userId) return reply.status(401).send({ errors: [{ message: 'unauthenticated' }] });
  const id = (request.body as { variables?: { id?: string } }).variables?.id;
  const { rows } = await pool.query<{ body: unknown }>(Q1, [id, userId]);
  return reply.type('application/json').send(JSON.stringify(rows[0]!.body));
});

app.post('/q2', async (request, reply) => {
  const userId = await viewer(request.headers.authorization);
  if (!userId) return reply.status(401).send({ errors: [{ message: 'unauthenticated' }] });
  const { rows } = await pool.query<{ body: unknown }>(Q2, [userId]);
  return reply.type('application/json').send(JSON.stringify(rows[0]!.body));
});

await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
console.log(`baseline listening on ${env.PORT}`);
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
