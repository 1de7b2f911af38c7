/**
 * The migrated database holds what prisma/schema.prisma describes: every model is written and
 * read back through the generated client, with exact decimals, inet, JSON and BigInt columns,
 * and deletes cascade cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyOfInvestment } from '../src/ledger/buys.js';
import { createDb, type Db } from '../src/platform/db.js';
import { createTestDatabase, type TestDatabase } from './db.js';

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ url: database.url });
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('the data model', () => {
  it('writes and reads every model', async () => {
    const owner = await db.user.create({ data: { email: 'owner@example.com', name: 'Owner', passwordHash: 'h' } });
    const friend = await db.user.create({ data: { email: 'friend@example.com', name: 'Friend', passwordHash: 'h' } });
    const session = await db.session.create({
      data: {
        userId: owner.id,
        userAgent: 'Mozilla/5.0',
        device: 'Firefox on Linux',
        ipAddress: '2001:db8::1',
        expiresAt: new Date('2030-01-01T00:00:00Z'),
      },
    });
    await db.refreshToken.create({
      data: { sessionId: session.id, tokenHash: 'a'.repeat(64), expiresAt: new Date('2030-01-01T00:00:00Z') },
    });
    await db.mfaCredential.create({ data: { userId: owner.id, secretEncrypted: 'cipher', lastUsedStep: 58_000_000_123n } });
    await db.mfaBackupCode.create({ data: { userId: owner.id, codeHash: 'hash' } });
    await db.oneTimeToken.create({
      data: { userId: owner.id, purpose: 'PASSWORD_RESET', tokenHash: 'b'.repeat(64), expiresAt: new Date('2030-01-01T00:00:00Z') },
    });
    const portfolio = await db.portfolio.create({
      data: { ownerId: owner.id, name: 'Retirement', baseCurrency: 'EUR', settings: { benchmark: 'SPY', tags: ['long'] } },
    });
    await db.transaction.create({
      data: {
        portfolioId: portfolio.id,
        ...buyOfInvestment({
          symbol: 'AAPL',
          quantity: '1234567890.12345678',
          purchasePrice: '0.00000001',
          purchaseDate: day('2024-02-29'),
        }),
      },
    });
    await db.portfolioShare.create({ data: { portfolioId: portfolio.id, userId: friend.id, permission: 'EDIT' } });
    await db.portfolioActivity.create({
      data: {
        portfolioId: portfolio.id,
        userId: friend.id,
        action: 'INVESTMENT_ADDED',
        details: { after: { quantity: '1' } },
        ipAddress: '203.0.113.7',
        userAgent: 'curl',
      },
    });
    const market = await db.asset.create({
      data: { symbol: 'AAPL', name: 'Apple Inc.', type: 'STOCK', currency: 'USD', exchange: 'NASDAQ' },
    });
    const house = await db.asset.create({
      data: { symbol: 'HOUSE', name: 'My flat', type: 'REAL_ESTATE', currency: 'EUR', ownerId: owner.id },
    });
    await db.dailyPrice.createMany({
      data: [
        {
          assetId: market.id,
          date: day('2024-01-02'),
          open: '185.64',
          high: '188.44',
          low: '183.89',
          close: '185.64',
          volume: 82488700,
          source: 'simulated',
        },
        { assetId: house.id, date: day('2024-01-31'), open: '350000', high: '350000', low: '350000', close: '350000', source: 'custom' },
      ],
    });

    const read = await db.user.findUniqueOrThrow({
      where: { id: owner.id },
      include: {
        sessions: { include: { refreshTokens: true } },
        mfa: true,
        backupCodes: true,
        oneTimeTokens: true,
        customAssets: { include: { prices: true } },
        portfolios: { include: { investments: true, shares: true, activities: true } },
      },
    });
    expect(read.sessions[0]).toMatchObject({ ipAddress: '2001:db8::1', device: 'Firefox on Linux' });
    expect(read.sessions[0]?.refreshTokens).toHaveLength(1);
    expect(read.mfa?.lastUsedStep).toBe(58_000_000_123n);
    expect(read.backupCodes).toHaveLength(1);
    expect(read.oneTimeTokens[0]?.purpose).toBe('PASSWORD_RESET');
    const p = read.portfolios[0]!;
    expect(p.settings).toEqual({ benchmark: 'SPY', tags: ['long'] });
    expect(p.baseCurrency).toBe('EUR');
    expect(p.investments[0]?.quantity.toFixed()).toBe('1234567890.12345678');
    expect(p.investments[0]?.purchasePrice.toFixed()).toBe('0.00000001');
    expect(p.investments[0]?.purchaseDate.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(p.shares[0]?.permission).toBe('EDIT');
    expect(p.activities[0]).toMatchObject({ action: 'INVESTMENT_ADDED', ipAddress: '203.0.113.7', details: { after: { quantity: '1' } } });
    expect(read.customAssets[0]?.prices[0]?.close.toFixed()).toBe('350000');
    const prices = await db.dailyPrice.findMany({ where: { assetId: market.id } });
    expect(prices[0]).toMatchObject({ volume: 82488700, source: 'simulated' });
    expect(prices[0]?.high.toFixed()).toBe('188.44');
  });

  it('keeps market symbols unique, custom symbols unique per owner', async () => {
    const a = await db.user.create({ data: { email: 'a@example.com', name: 'A', passwordHash: 'h' } });
    const b = await db.user.create({ data: { email: 'b@example.com', name: 'B', passwordHash: 'h' } });
    await db.asset.create({ data: { symbol: 'MSFT', name: 'Microsoft', type: 'STOCK', currency: 'USD' } });
    await expect(db.asset.create({ data: { symbol: 'MSFT', name: 'Again', type: 'STOCK', currency: 'USD' } })).rejects.toThrow();
    await db.asset.create({ data: { symbol: 'BOAT', name: 'Boat', type: 'OTHER', currency: 'USD', ownerId: a.id } });
    await db.asset.create({ data: { symbol: 'BOAT', name: 'Boat', type: 'OTHER', currency: 'USD', ownerId: b.id } });
    await expect(
      db.asset.create({ data: { symbol: 'BOAT', name: 'Boat 2', type: 'OTHER', currency: 'USD', ownerId: a.id } }),
    ).rejects.toThrow();
  });

  it('cascades deletes and keeps the audit trail when an actor leaves', async () => {
    const owner = await db.user.create({ data: { email: 'c@example.com', name: 'C', passwordHash: 'h' } });
    const actor = await db.user.create({ data: { email: 'd@example.com', name: 'D', passwordHash: 'h' } });
    const portfolio = await db.portfolio.create({ data: { ownerId: owner.id, name: 'P' } });
    await db.transaction.create({
      data: {
        portfolioId: portfolio.id,
        ...buyOfInvestment({ symbol: 'X', quantity: '1', purchasePrice: '1', purchaseDate: day('2024-01-01') }),
      },
    });
    await db.portfolioShare.create({ data: { portfolioId: portfolio.id, userId: actor.id, permission: 'VIEW' } });
    const activity = await db.portfolioActivity.create({ data: { portfolioId: portfolio.id, userId: actor.id, action: 'X' } });
    await db.user.delete({ where: { id: actor.id } });
    expect((await db.portfolioActivity.findUniqueOrThrow({ where: { id: activity.id } })).userId).toBeNull();
    expect(await db.portfolioShare.count({ where: { portfolioId: portfolio.id } })).toBe(0);
    await db.user.delete({ where: { id: owner.id } });
    expect(await db.portfolio.count({ where: { id: portfolio.id } })).toBe(0);
    expect(await db.transaction.count({ where: { portfolioId: portfolio.id } })).toBe(0);
    expect(await db.investment.count({ where: { portfolioId: portfolio.id } })).toBe(0);
    expect(await db.portfolioActivity.count({ where: { portfolioId: portfolio.id } })).toBe(0);
  });
});
