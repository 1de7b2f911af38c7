/**
 * Every SDK operation (schema/operations) with its variables written inline as literals, run
 * twice: Mercurius compiles a document with graphql-jit on its second run, and a custom scalar
 * whose parsed literal did not survive compilation failed from then on ("value.isFinite is not a
 * function"). Each run must be free of INTERNAL_SERVER_ERROR; operations with custom-scalar
 * inputs must succeed both times.
 */
import { randomBytes } from 'node:crypto';
import {
  Kind,
  astFromValue,
  print,
  typeFromAST,
  visit,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../schema/sdk/graphql.js';
import { schema } from '../src/schema.js';
import { useTestApp } from './use-test-app.js';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from './portfolios.js';
import { createTestUser, type TestUser } from './users.js';

interface Fixture {
  variables: Record<string, unknown>;
  /** Whose token (none: anonymous). */
  as?: 'user' | 'other';
  /** Both runs must answer without any error. */
  mustSucceed?: boolean;
}

const t = useTestApp();
let user: TestUser;
/** A second account for operations that end sessions. */
let other: TestUser;
let portfolioId: string;
let investmentId: string;
let throwawayPortfolioId: string;
let throwawayInvestmentId: string;
let throwawayAlertId: string;
let transactionId: string;
let throwawayTransactionId: string;

beforeAll(async () => {
  await seedMarketAssets(t);
  user = await createTestUser(t);
  other = await createTestUser(t);
  portfolioId = (await createPortfolio(t, user)).id;
  investmentId = (await addInvestment(t, user, portfolioId)).id;
  throwawayPortfolioId = (await createPortfolio(t, user, { name: 'to delete' })).id;
  throwawayInvestmentId = (await addInvestment(t, user, portfolioId, { symbol: 'MSFT' })).id;
  ok(
    await t.gql(
      sdk.CreateCustomAssetDocument,
      { input: { symbol: 'LIT-1', name: 'Literal flat', type: 'REAL_ESTATE', currency: 'EUR' } },
      { token: user.token },
    ),
  );
  throwawayAlertId = ok(
    await t.gql(sdk.CreateAlertDocument, { input: { condition: 'PRICE_BELOW', symbol: 'MSFT', threshold: '1' } }, { token: user.token }),
  ).createAlert.id;
  const record = async (input: sdk.TransactionInput) =>
    ok(await t.gql(sdk.RecordTransactionDocument, { portfolioId, input }, { token: user.token })).recordTransaction.id;
  await record({ type: 'DEPOSIT', date: '2024-01-02', amount: '10000' });
  transactionId = await record({ type: 'BUY', date: '2024-01-03', symbol: 'AAPL', quantity: '5', price: '185.5' });
  throwawayTransactionId = await record({ type: 'BUY', date: '2024-01-04', symbol: 'MSFT', quantity: '1', price: '370' });
});

const range = { from: '2025-01-02', to: '2025-06-30' };

function fixtures(): Record<string, Fixture> {
  const id = portfolioId;
  return {
    PortfolioPerformance: { variables: { id, ...range }, as: 'user', mustSucceed: true },
    PortfolioRisk: { variables: { id, ...range, confidence: 0.95, benchmark: 'VTI' }, as: 'user' },
    PortfolioRebalance: {
      variables: {
        id,
        targets: [
          { key: 'AAPL', weight: 0.5 },
          { key: 'MSFT', weight: 0.5 },
        ],
        driftTolerance: 0.05,
        by: 'SYMBOL',
      },
      as: 'user',
    },
    PortfolioSimulation: {
      variables: { id, horizonDays: 20, paths: 100, seed: 7, confidence: 0.95, ...range },
      as: 'user',
      mustSucceed: true,
    },
    PortfolioFactorExposure: { variables: { id, factors: ['VTI'], ...range }, as: 'user' },
    PortfolioAnalytics: { variables: { id, ...range, benchmark: 'VTI' }, as: 'user', mustSucceed: true },
    PortfolioExists: { variables: { id }, as: 'user', mustSucceed: true },
    Register: {
      variables: { input: { email: `lit-${randomBytes(3).toString('hex')}@example.com`, name: 'Lit', password: 'a-long-password-2026' } },
    },
    Login: { variables: { input: { email: other.email, password: 'wrong-password-1' } } },
    VerifyMfaLogin: { variables: { challengeToken: 'not-a-challenge', code: '123456' } },
    RefreshToken: { variables: { refreshToken: 'not-a-refresh-token' } },
    Logout: { variables: { refreshToken: 'not-a-refresh-token' }, as: 'other' },
    LogoutAll: { variables: {}, as: 'other' },
    Me: { variables: {}, as: 'user', mustSucceed: true },
    Sessions: { variables: {}, as: 'user', mustSucceed: true },
    RevokeSession: { variables: { id: other.sessionId }, as: 'other' },
    RequestEmailVerification: { variables: {}, as: 'user' },
    VerifyEmail: { variables: { token: 'not-a-token' } },
    RequestPasswordReset: { variables: { email: 'nobody@example.com' } },
    ResetPassword: { variables: { token: 'not-a-token', newPassword: 'a-long-password-2026' } },
    ChangePassword: { variables: { currentPassword: 'wrong-password-1', newPassword: 'a-long-password-2026' }, as: 'user' },
    SetupMfa: { variables: {}, as: 'other' },
    VerifyMfa: { variables: { code: '000000' }, as: 'other' },
    DisableMfa: { variables: { code: '000000' }, as: 'other' },
    MarketQuote: { variables: { symbol: 'AAPL' }, as: 'user', mustSucceed: true },
    MarketQuotes: { variables: { symbols: ['AAPL', 'MSFT'] }, as: 'user', mustSucceed: true },
    MarketHistory: { variables: { symbol: 'AAPL', ...range, interval: 'WEEK' }, as: 'user', mustSucceed: true },
    MarketFundamentals: { variables: { symbol: 'AAPL' }, as: 'user', mustSucceed: true },
    MarketNews: { variables: { symbols: ['AAPL'], first: 3 }, as: 'user', mustSucceed: true },
    SearchSymbols: { variables: { query: 'App', first: 5 }, as: 'user', mustSucceed: true },
    PortfolioValuation: { variables: { id, by: 'SYMBOL', investmentsFirst: 10 }, as: 'user', mustSucceed: true },
    Portfolios: { variables: { first: 5 }, as: 'user', mustSucceed: true },
    PortfolioOverview: { variables: { first: 5, investmentsFirst: 5 }, as: 'user', mustSucceed: true },
    Portfolio: { variables: { id, first: 5 }, as: 'user', mustSucceed: true },
    PortfolioShares: { variables: { id }, as: 'user', mustSucceed: true },
    PortfolioActivity: { variables: { id, first: 5 }, as: 'user', mustSucceed: true },
    ExportPortfolio: { variables: { id, format: 'CSV' }, as: 'user', mustSucceed: true },
    CreatePortfolio: {
      variables: { input: { name: 'Literal', description: 'typed in GraphiQL', isPublic: false, baseCurrency: 'EUR' } },
      as: 'user',
      mustSucceed: true,
    },
    UpdatePortfolio: { variables: { id, input: { description: 'changed' } }, as: 'user', mustSucceed: true },
    DeletePortfolio: { variables: { id: throwawayPortfolioId }, as: 'user' },
    AddInvestment: {
      variables: {
        portfolioId: id,
        input: { symbol: 'AAPL', quantity: '7', purchasePrice: '0.00000001', purchaseDate: '2024-02-29', notes: 'literal' },
      },
      as: 'user',
      mustSucceed: true,
    },
    UpdateInvestment: {
      variables: { id: investmentId, input: { quantity: '12.5', purchasePrice: '99.99', purchaseDate: '2024-01-31' } },
      as: 'user',
      mustSucceed: true,
    },
    RemoveInvestment: { variables: { id: throwawayInvestmentId }, as: 'user' },
    SharePortfolio: { variables: { portfolioId: id, email: other.email, permission: 'VIEW' }, as: 'user' },
    UnsharePortfolio: { variables: { portfolioId: id, userId: other.id }, as: 'user' },
    CreateCustomAsset: {
      variables: { input: { symbol: `LIT-${randomBytes(2).toString('hex').toUpperCase()}`, name: 'x', type: 'OTHER', currency: 'USD' } },
      as: 'user',
    },
    SetCustomAssetPrices: {
      variables: {
        symbol: 'LIT-1',
        prices: [
          { date: '2024-01-02', close: '250000.5' },
          { date: '2024-01-03', close: '250001' },
        ],
      },
      as: 'user',
      mustSucceed: true,
    },
    ImportPortfolio: {
      variables: { input: { format: 'CSV', data: 'symbol,quantity,purchasePrice,purchaseDate\nAAPL,1.5,100,2024-01-02\n', dryRun: true } },
      as: 'user',
      mustSucceed: true,
    },
    ServerVersion: { variables: {}, mustSucceed: true },
    Alerts: { variables: {}, as: 'user', mustSucceed: true },
    CreateAlert: {
      variables: { input: { condition: 'PRICE_ABOVE', symbol: 'AAPL', threshold: '250.75', channels: ['IN_APP', 'EMAIL'], repeat: true } },
      as: 'user',
      mustSucceed: true,
    },
    DeleteAlert: { variables: { id: throwawayAlertId }, as: 'user' },
    Notifications: { variables: { first: 5, unreadOnly: true }, as: 'user', mustSucceed: true },
    MarkNotificationsRead: { variables: { ids: [] }, as: 'user', mustSucceed: true },
    EmailSettings: { variables: {}, as: 'user', mustSucceed: true },
    UpdateEmailSettings: { variables: { input: { weeklyReports: true, rebalancingReminders: false } }, as: 'user', mustSucceed: true },
    PortfolioSnapshots: { variables: { id, ...range }, as: 'user', mustSucceed: true },
    PortfolioReports: { variables: { id, first: 5 }, as: 'user', mustSucceed: true },
    GenerateReport: { variables: { portfolioId: id, ...range }, as: 'user', mustSucceed: true },
    RecordTransaction: {
      variables: {
        portfolioId: id,
        input: {
          type: 'BUY',
          date: '2024-02-01',
          symbol: 'AAPL',
          quantity: '0.5',
          price: '183.99',
          fee: '1.25',
          currency: 'USD',
          fxRate: '1',
          notes: 'literal',
        },
      },
      as: 'user',
      mustSucceed: true,
    },
    UpdateTransaction: {
      variables: {
        id: transactionId,
        input: { type: 'BUY', date: '2024-01-03', symbol: 'AAPL', quantity: '6', price: '185.25', fee: '0.5' },
      },
      as: 'user',
      mustSucceed: true,
    },
    DeleteTransaction: { variables: { id: throwawayTransactionId }, as: 'user' },
    PortfolioTransactions: { variables: { id, first: 5, types: ['BUY', 'DEPOSIT'], symbol: 'AAPL' }, as: 'user', mustSucceed: true },
    PortfolioLedger: { variables: { id, symbol: 'AAPL', includeClosed: true, ...range, method: 'FIFO' }, as: 'user', mustSucceed: true },
    FxRate: { variables: { from: 'EUR', to: 'USD', date: '2025-01-02' }, as: 'user', mustSucceed: true },
    PortfolioValuationInBase: { variables: { id }, as: 'user', mustSucceed: true },
  };
}

/** The operation with every variable replaced by its value as a literal (omitted ones dropped). */
function inlined(document: DocumentNode, variables: Record<string, unknown>): string {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const literals = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] === undefined) continue;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType;
    const literal = astFromValue(variables[name], type);
    if (!literal) throw new Error(`cannot write $${name} as a literal`);
    literals.set(name, literal);
  }
  const rewritten = visit(document, {
    OperationDefinition: (node) => ({ ...node, variableDefinitions: [] }),
    Argument: (node) => {
      if (node.value.kind !== Kind.VARIABLE) return undefined;
      const literal = literals.get(node.value.name.value);
      return literal ? { ...node, value: literal } : null;
    },
    ObjectField: (node) => {
      if (node.value.kind !== Kind.VARIABLE) return undefined;
      const literal = literals.get(node.value.name.value);
      return literal ? { ...node, value: literal } : null;
    },
  });
  return print(rewritten);
}

const operations = Object.entries(sdk)
  .filter(([name]) => name.endsWith('Document'))
  .map(([name, document]) => [name.slice(0, -'Document'.length), document as DocumentNode] as const)
  .filter(([, document]) => document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation !== 'subscription'));

describe('every SDK operation with inline literals, twice', () => {
  it('has a fixture for every operation', () => {
    const known = Object.keys(fixtures());
    expect(operations.length).toBeGreaterThan(40);
    for (const [name] of operations) expect(known, `add a fixture for ${name}`).toContain(name);
  });

  it.each(operations.map(([name]) => name))('%s', async (name) => {
    const document = operations.find(([n]) => n === name)![1];
    const fixture = fixtures()[name]!;
    const text = inlined(document, fixture.variables);
    expect(text).not.toMatch(/\$\w/);
    const token = fixture.as === 'user' ? user.token : fixture.as === 'other' ? other.token : undefined;
    for (const run of [1, 2, 3]) {
      const result = await t.gql(text, {}, { token });
      const codes = (result.errors ?? []).map((e) => e.extensions?.code);
      expect(codes, `run ${run}: ${JSON.stringify(result.errors)}`).not.toContain('INTERNAL_SERVER_ERROR');
      expect(result.status, `run ${run}`).toBeLessThan(500);
      if (fixture.mustSucceed) expect(result.errors, `run ${run}`).toBeUndefined();
    }
  });
});
