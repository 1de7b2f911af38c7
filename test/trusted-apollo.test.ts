/**
 * Apollo Client 4 against TRUSTED_DOCUMENTS=only (contract, "Transport": trusted documents): with
 * its normalising cache, fragments and the APQ link, it gets exactly what it asked for (Apollo adds
 * `__typename` to every selection set; fragments on a type need it), its hash-only requests are
 * answered PersistedQueryNotFound so the link retries with the text, and a query that is not an
 * SDK operation is still refused.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { beforeAll, describe, expect, it } from 'vitest';
import { gql } from '@apollo/client';
import { CreatePortfolioDocument, PortfoliosDocument } from '../schema/sdk/graphql.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser, type TestUser } from './users.js';

const t = useTestApp({ env: { TRUSTED_DOCUMENTS: 'only' } });
let url: string;
let user: TestUser;
const sent: Array<{ hashOnly: boolean; status: number }> = [];

beforeAll(async () => {
  url = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  user = await createTestUser(t);
});

function apollo(): ApolloClient {
  const auth = new SetContextLink(() => ({ headers: { authorization: `Bearer ${user.token}` } }));
  const persisted = new PersistedQueryLink({ sha256: (query: string) => createHash('sha256').update(query).digest('hex') });
  // Records what went over the wire (hash only or with the text) and the answer's status.
  const recordingFetch: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { query?: string };
    const response = await fetch(input, init);
    sent.push({ hashOnly: body.query === undefined, status: response.status });
    return response;
  };
  return new ApolloClient({
    link: ApolloLink.from([auth, persisted, new HttpLink({ uri: url, fetch: recordingFetch })]),
    cache: new InMemoryCache(),
  });
}

describe('Apollo Client with TRUSTED_DOCUMENTS=only', () => {
  it('gets every field of its fragments, through the APQ link', async () => {
    const client = apollo();
    const created = await client.mutate({ mutation: CreatePortfolioDocument, variables: { input: { name: 'Trusted' } } });
    expect(created.error).toBeUndefined();
    expect(created.data?.createPortfolio).toMatchObject({
      __typename: 'Portfolio',
      name: 'Trusted',
      owner: { __typename: 'User', id: user.id },
    });

    sent.length = 0;
    const listed = await client.query({ query: PortfoliosDocument, variables: { first: 10 }, fetchPolicy: 'network-only' });
    expect(listed.error).toBeUndefined();
    const node = listed.data?.portfolios.edges[0]?.node;
    // Old server: the manifest's copy ran without __typename, so Apollo's fragment resolved to {}.
    expect(node).toMatchObject({ __typename: 'Portfolio', name: 'Trusted', baseCurrency: 'USD', owner: { id: user.id } });
    // The APQ link sent the hash first; not found (not 403), so it retried with the text.
    // (404: the media type Apollo asks for, application/graphql-response+json, says "not found" so.)
    expect(sent[0]).toEqual({ hashOnly: true, status: 404 });
    expect(sent[1]).toMatchObject({ hashOnly: false, status: 200 });

    // Next time the hash alone runs (this process knows the text now).
    sent.length = 0;
    const again = await apollo().query({ query: PortfoliosDocument, variables: { first: 10 }, fetchPolicy: 'network-only' });
    expect(again.data?.portfolios.edges[0]?.node).toMatchObject({ __typename: 'Portfolio', name: 'Trusted' });
    expect(sent).toEqual([{ hashOnly: true, status: 200 }]);
  });

  it('still refuses a query that is not an SDK operation', async () => {
    const refused = await apollo()
      .query({ query: gql('query Mine { me { id email } portfolios { totalCount } }'), fetchPolicy: 'network-only' })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(JSON.stringify(refused)).toContain('FORBIDDEN');
  });
});
