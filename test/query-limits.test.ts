/** Query depth and cost limits: a query that could exhaust the server is refused before it runs. */
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser, type TestUser } from './users.js';

const t = useTestApp();
let user: TestUser;
beforeAll(async () => {
  user = await createTestUser(t);
});

/** portfolios → investments → portfolio → investments … nested `levels` times. */
function nested(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `portfolio { investments(first: 1) { edges { node { ${inner} } } } }`;
  return `{ portfolios(first: 1) { edges { node { investments(first: 1) { edges { node { ${inner} } } } } } } }`;
}

describe('query limits', () => {
  it('runs an ordinary nested query', async () => {
    const result = await t.gql(nested(1), {}, { token: user.token });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ portfolios: { edges: [] } });
  });

  it('refuses a query nested deeper than QUERY_MAX_DEPTH', async () => {
    const result = await t.gql(nested(6), {}, { token: user.token });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0]?.message).toMatch(/depth/);
    expect(result.errors?.[0]?.extensions).toMatchObject({ maxDepth: t.config.QUERY_MAX_DEPTH });
  });

  it('refuses a query whose cost exceeds QUERY_MAX_COMPLEXITY', async () => {
    const wide = Array.from(
      { length: 3 },
      (_, i) =>
        `p${i}: portfolios(first: 100) { edges { node { id name investments(first: 100) { edges { node { id symbol quantity } } } } } }`,
    ).join('\n');
    const result = await t.gql(`{ ${wide} }`, {}, { token: user.token });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0]?.extensions?.complexity as number).toBeGreaterThan(t.config.QUERY_MAX_COMPLEXITY);
  });
});
