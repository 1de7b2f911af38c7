/** Personal API tokens (`fg_…`): created, listed and revoked from a signed-in session only. */
import { COST, type RouteSpec } from './route.js';

const TOKEN = 'id name prefix scopes createdAt lastUsedAt expiresAt';

export const TOKEN_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/tokens',
    area: 'tokens',
    summary: 'Your personal API tokens (never their secrets)',
    document: `{ apiTokens { ${TOKEN} } }`,
    result: ['apiTokens'],
    list: { kind: 'array', sort: ['name', 'createdAt', 'lastUsedAt', 'expiresAt'] },
    cost: COST.list,
  },
  {
    method: 'POST',
    path: '/tokens',
    area: 'tokens',
    summary: 'Create a personal API token (READ or WRITE, optional expiry); its secret is shown once',
    document: `mutation($input: ApiTokenInput!) { createApiToken(input: $input) { token apiToken { ${TOKEN} } } }`,
    body: 'input',
    result: ['createApiToken'],
    status: 201,
    cost: COST.write,
  },
  {
    method: 'DELETE',
    path: '/tokens/:id',
    area: 'tokens',
    summary: 'Revoke a personal API token, at once on every instance',
    document: `mutation($id: ID!) { revokeApiToken(id: $id) }`,
    result: ['revokeApiToken'],
    wrap: 'revoked',
    cost: COST.write,
  },
];
