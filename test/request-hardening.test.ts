/**
 * Request hardening (issue 9): bounded decimals and text before any work, document limits before
 * any resolver with exactly one QUERY_TOO_COMPLEX error, custom scalars under graphql-jit, and
 * errors that say whose mistake it was.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddInvestmentDocument,
  CreateCustomAssetDocument,
  CreatePortfolioDocument,
  ImportPortfolioDocument,
  LoginDocument,
  SearchSymbolsDocument,
  SetCustomAssetPricesDocument,
  UpdateInvestmentDocument,
} from '../schema/sdk/graphql.js';
import { errorCode } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { addInvestment, createPortfolio, HOLDING, ok, seedMarketAssets } from './portfolios.js';
import { createTestUser, type TestUser } from './users.js';
import { listen, RawSocket } from './ws.js';

/** Log lines the app writes (LOG_LEVEL info), to check what a refusal costs in logs. */
const logLines: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

const t = useTestApp(() => ({ env: { LOG_LEVEL: 'info' }, logStream }));
let user: TestUser;
let portfolioId: string;
beforeAll(async () => {
  await seedMarketAssets(t);
  user = await createTestUser(t);
  portfolioId = (await createPortfolio(t, user)).id;
});

async function investmentCount(): Promise<number> {
  return t.app.services.db.investment.count();
}

function details(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) {
  return result.errors?.[0]?.extensions?.details as { field: string; message: string }[] | undefined;
}

describe('decimal inputs', () => {
  it('refuses exponent forms and over-long decimals in every Decimal input, without expanding them', async () => {
    const before = await investmentCount();
    for (const quantity of ['1e600000000', '1E100000000', '1e-7', `1${'0'.repeat(40)}`]) {
      const result = await t.gql(AddInvestmentDocument, { portfolioId, input: { ...HOLDING, quantity } }, { token: user.token });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(details(result)?.[0]?.field).toBe('input.quantity');
    }
    // The same as literals (a FLOAT literal too).
    for (const literal of ['"1e600000000"', '1e600000000']) {
      const result = await t.gql(
        `mutation { addInvestment(portfolioId: "${portfolioId}", input: { symbol: "AAPL", quantity: ${literal}, purchasePrice: "1", purchaseDate: "2024-01-02" }) { id } }`,
        {},
        { token: user.token },
      );
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
    const investment = await addInvestment(t, user, portfolioId);
    const update = await t.gql(
      UpdateInvestmentDocument,
      { id: investment.id, input: { purchasePrice: '9e999999999' } },
      { token: user.token },
    );
    expect(errorCode(update)).toBe('BAD_USER_INPUT');
    expect(details(update)?.[0]).toMatchObject({ field: 'input.purchasePrice', message: expect.stringMatching(/exponent/) });
    expect(await investmentCount()).toBe(before + 1);
  });

  it('accepts a plain decimal of 40 characters (refused by the column rules, not the grammar)', async () => {
    const forty = `0.${'1'.repeat(38)}`;
    expect(forty).toHaveLength(40);
    const result = await t.gql(AddInvestmentDocument, { portfolioId, input: { ...HOLDING, quantity: forty } }, { token: user.token });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(details(result)?.[0]?.message).toMatch(/digits after the decimal point/);
  });

  it('refuses exponent forms in setCustomAssetPrices and in CSV and JSON imports', async () => {
    ok(
      await t.gql(
        CreateCustomAssetDocument,
        { input: { symbol: 'FLAT-1', name: 'Flat', type: 'REAL_ESTATE', currency: 'EUR' } },
        { token: user.token },
      ),
    );
    const prices = await t.gql(
      SetCustomAssetPricesDocument,
      { symbol: 'FLAT-1', prices: [{ date: '2024-01-02', close: '1e600000000' }] },
      { token: user.token },
    );
    expect(errorCode(prices)).toBe('BAD_USER_INPUT');
    expect(details(prices)?.[0]?.field).toBe('prices[0].close');

    const csv = `symbol,quantity,purchasePrice,purchaseDate\nAAPL,1e600000000,1,2024-01-02\n`;
    const json = JSON.stringify({
      name: 'x',
      investments: [{ symbol: 'AAPL', quantity: '1e600000000', purchasePrice: '1', purchaseDate: '2024-01-02' }],
    });
    for (const [format, data] of [
      ['CSV', csv],
      ['JSON', json],
    ] as const) {
      const result = await t.gql(ImportPortfolioDocument, { input: { format, data } }, { token: user.token });
      const problems =
        result.data?.importPortfolio?.problems ?? (details(result) as { field: string; message: string }[] | undefined) ?? [];
      expect(result.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false).toBe(false);
      expect(problems.some((p) => p.field.endsWith('quantity') && /exponent/.test(p.message))).toBe(true);
    }
  });
});

describe('text inputs', () => {
  it('refuses NUL and unpaired surrogates in any string with BAD_USER_INPUT naming the field', async () => {
    const before = await t.app.services.db.portfolio.count();
    const nul = await t.gql(CreatePortfolioDocument, { input: { name: 'a\u0000b' } }, { token: user.token });
    expect(errorCode(nul)).toBe('BAD_USER_INPUT');
    expect(details(nul)).toEqual([{ field: 'input.name', message: expect.stringMatching(/NUL/) }]);

    const surrogate = await t.gql(AddInvestmentDocument, { portfolioId, input: { ...HOLDING, notes: 'x\uD800y' } }, { token: user.token });
    expect(errorCode(surrogate)).toBe('BAD_USER_INPUT');
    expect(details(surrogate)).toEqual([{ field: 'input.notes', message: expect.stringMatching(/unpaired surrogate/) }]);

    const search = await t.gql(SearchSymbolsDocument, { query: 'AA\u0000' }, { token: user.token });
    expect(errorCode(search)).toBe('BAD_USER_INPUT');

    const literal = await t.gql(`mutation { createPortfolio(input: { name: "x\\u0000y" }) { id } }`, {}, { token: user.token });
    expect(errorCode(literal)).toBe('BAD_USER_INPUT');
    expect(details(literal)?.[0]?.field).toBe('input.name');
    expect(await t.app.services.db.portfolio.count()).toBe(before);
  });

  it('refuses a NUL in an anonymous login', async () => {
    for (const input of [
      { email: 'a\u0000@example.com', password: 'whatever-123' },
      { email: 'a@example.com', password: 'pass\u0000word-123' },
    ]) {
      const result = await t.gql(LoginDocument, { input });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.status).toBe(400);
    }
  });
});

describe('document limits', () => {
  it('answers 10,000 aliases, 10,000 directives and a 5,000-deep list with one QUERY_TOO_COMPLEX each', async () => {
    const logBefore = logLines.join('\n').length;
    const documents = [
      `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: version`).join(' ')} }`,
      `{ version ${'@skip(if: false) '.repeat(10_000)} }`,
      `{ searchSymbols(query: "x", first: ${'['.repeat(5_000)}1${']'.repeat(5_000)}) { symbol } }`,
    ];
    for (const document of documents) {
      const result = await t.gql(document);
      expect(result.errors).toHaveLength(1);
      expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
      expect(result.status).toBe(400);
    }
    // A few short lines, not megabytes.
    expect(logLines.join('\n').length - logBefore).toBeLessThan(5_000);
  });

  it('refuses an anonymous over-deep query with QUERY_TOO_COMPLEX, not UNAUTHENTICATED', async () => {
    let inner = 'id';
    for (let i = 0; i < 6; i++) inner = `portfolio { investments(first: 1) { edges { node { ${inner} } } } }`;
    const result = await t.gql(`{ portfolios(first: 1) { edges { node { investments(first: 1) { edges { node { ${inner} } } } } } } }`);
    expect(result.errors).toHaveLength(1);
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', maxDepth: t.config.QUERY_MAX_DEPTH });
  });

  it('counts date ranges: 66 aliases of a 20-year history are refused, a few are served', async () => {
    const history = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `h${i}: history(symbol: "AAPL", from: "2006-01-01", to: "2025-12-31") { date open high low close volume }`).join(' ')} }`;
    const many = await t.gql(history(66), {}, { token: user.token });
    expect(many.errors).toHaveLength(1);
    expect(errorCode(many)).toBe('QUERY_TOO_COMPLEX');
    // Given as variables, the range counts as well (the same text with small ranges passes).
    const query = `query($from: Date!, $to: Date!) { ${Array.from({ length: 20 }, (_, i) => `h${i}: history(symbol: "AAPL", from: $from, to: $to) { date close }`).join(' ')} }`;
    const small = await t.gql(query, { from: '2025-12-01', to: '2025-12-31' }, { token: user.token });
    expect(small.errors).toBeUndefined();
    const large = await t.gql(query, { from: '2006-01-01', to: '2025-12-31' }, { token: user.token });
    expect(errorCode(large)).toBe('QUERY_TOO_COMPLEX');
    expect(large.errors?.[0]?.extensions).toMatchObject({ limit: 'complexity' });
    const one = await t.gql(history(1), {}, { token: user.token });
    expect(one.errors).toBeUndefined();
  });

  it('counts page sizes given as variables', async () => {
    const query = `query($n: Int) { portfolios(first: $n) { edges { node { investments(first: $n) { edges { node { id symbol quantity purchasePrice } } } } } } }`;
    expect((await t.gql(query, { n: 5 }, { token: user.token })).errors).toBeUndefined();
    const result = await t.gql(query, { n: 100 }, { token: user.token });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    // A document that passed with small sizes is remembered by those sizes only (limits.ts): the
    // large ones are refused every time, whatever ID variables come with them.
    const byId = `query($id: ID!, $n: Int) { portfolio(id: $id) { investments(first: $n) { edges { node { id } } } } other: portfolios(first: $n) { edges { node { investments(first: $n) { edges { node { id symbol quantity purchasePrice } } } } } } }`;
    for (const id of ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']) {
      expect((await t.gql(byId, { id, n: 5 }, { token: user.token })).errors).toBeUndefined();
      expect(errorCode(await t.gql(byId, { id, n: 100 }, { token: user.token }))).toBe('QUERY_TOO_COMPLEX');
    }
    expect(errorCode(await t.gql(query, { n: 100 }, { token: user.token }))).toBe('QUERY_TOO_COMPLEX');
    expect((await t.gql(query, { n: 5 }, { token: user.token })).errors).toBeUndefined();
  });

  it('refuses more tokens, aliases or directives than configured', async () => {
    const tokens = await t.gql(`{ version ${'# comment\n'.repeat(10)}${'__typename '.repeat(t.config.QUERY_MAX_TOKENS)} }`);
    expect(tokens.errors).toHaveLength(1);
    expect(tokens.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    const aliases = await t.gql(`{ ${Array.from({ length: t.config.QUERY_MAX_ALIASES + 1 }, (_, i) => `a${i}: version`).join(' ')} }`);
    expect(aliases.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
    const fine = await t.gql(`{ ${Array.from({ length: t.config.QUERY_MAX_ALIASES }, (_, i) => `a${i}: version`).join(' ')} }`);
    expect(fine.errors).toBeUndefined();
    const directives = await t.gql(
      `{ ${Array.from({ length: t.config.QUERY_MAX_DIRECTIVES + 1 }, () => 'version @include(if: true)').join(' ')} }`,
    );
    expect(directives.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'directives' });
  });

  it('does not take a JSON syntax tree for a document', async () => {
    const ast = JSON.stringify({
      kind: 'Document',
      definitions: [
        {
          kind: 'OperationDefinition',
          operation: 'query',
          selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'version' } }] },
        },
      ],
    });
    const result = await t.gql(ast);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });
});

describe('over WebSocket', () => {
  it('applies the same limits and text check to subscriptions', async () => {
    const socket = new RawSocket(await listen(t));
    await socket.init(user.token);
    await socket.send({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription($s: [String!]!) { quotes(symbols: $s) { symbol } }', variables: { s: ['A\u0000'] } },
    });
    expect(await socket.message()).toMatchObject({
      id: '1',
      type: 'error',
      payload: [{ extensions: { code: 'BAD_USER_INPUT', details: [{ field: 's[0]' }] } }],
    });
    const aliases = Array.from({ length: 1_000 }, (_, i) => `a${i}: quotes(symbols: ["A"]) { symbol }`).join(' ');
    await socket.send({ id: '2', type: 'subscribe', payload: { query: `subscription { ${aliases} }` } });
    const refused = (await socket.message()) as { payload: unknown[] };
    expect(refused).toMatchObject({ id: '2', type: 'error', payload: [{ extensions: { code: 'QUERY_TOO_COMPLEX' } }] });
    expect(refused.payload).toHaveLength(1);
    socket.close();
  });
});

describe('custom scalars under graphql-jit', () => {
  it('runs a mutation with inline Decimal, Date literals on the first, second and tenth run', async () => {
    const mutation = `mutation { addInvestment(portfolioId: "${portfolioId}", input: { symbol: "MSFT", quantity: "7", purchasePrice: "0.00000001", purchaseDate: "2024-02-29" }) { quantity purchasePrice purchaseDate } }`;
    for (let run = 1; run <= 10; run++) {
      const result = await t.gql(mutation, {}, { token: user.token });
      expect(result.errors, `run ${run}`).toBeUndefined();
      expect(result.data).toEqual({ addInvestment: { quantity: '7', purchasePrice: '0.00000001', purchaseDate: '2024-02-29' } });
    }
  });

  it('runs DateTime and Date literals and variables repeatedly', async () => {
    const literal = `{ history(symbol: "AAPL", from: "2025-06-02", to: "2025-06-06") { date } }`;
    const variables = `query($from: Date!, $to: Date!) { history(symbol: "AAPL", from: $from, to: $to) { date } }`;
    const first = await t.gql(literal, {}, { token: user.token });
    expect(first.errors).toBeUndefined();
    for (let run = 0; run < 3; run++) {
      expect((await t.gql(literal, {}, { token: user.token })).data).toEqual(first.data);
      expect((await t.gql(variables, { from: '2025-06-02', to: '2025-06-06' }, { token: user.token })).data).toEqual(first.data);
    }
  });
});

describe('error taxonomy', () => {
  it('logs a client mistake once, at info, without a stack', async () => {
    const marker = `nosuchfield${Date.now()}`;
    const before = logLines.length;
    const result = await t.gql(`{ ${marker} }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.status).toBe(400);
    const lines = logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    const mentioning = lines.filter((line) => JSON.stringify(line).includes(marker));
    expect(mentioning).toHaveLength(1);
    expect(mentioning[0]).toMatchObject({ level: 30 });
    expect(JSON.stringify(mentioning[0])).not.toMatch(/stack/);
  });
});
