/**
 * `npm run lint` enforces the one-way order of docs/architecture.md: these lint imports placed in
 * a given file (nothing is written to disk) and show a wrong import fails while a right one passes.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

/** The boundary errors ESLint reports for `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${PROJECT_ROOT}/${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('import boundaries', () => {
  it('refuses platform importing a domain', async () => {
    const errors = await boundaryErrors(
      'src/platform/wrong-import.ts',
      "import { PortfolioService } from '../portfolios/index.js';\nexport const service = PortfolioService;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/"platform".*"portfolios"|"portfolios".*"platform"/);
  });

  it('refuses a lower domain importing a higher one', async () => {
    const errors = await boundaryErrors('src/auth/wrong-import.ts', "export type { PortfolioService } from '../portfolios/index.js';\n");
    expect(errors).toHaveLength(1);
  });

  it("refuses reaching past a domain's door into its inner files", async () => {
    const errors = await boundaryErrors('src/analytics/wrong-import.ts', "export { MarketService } from '../market/service.js';\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('service.ts');
  });

  it('accepts a higher domain importing a lower one through its door, and any inner file of its own', async () => {
    const errors = await boundaryErrors(
      'src/analytics/right-import.ts',
      "export type { MarketService } from '../market/index.js';\nexport { AnalyticsService } from './service.js';\nexport { AppError } from '../platform/errors.js';\n",
    );
    expect(errors).toEqual([]);
  });

  it('refuses portfolios importing the ledger, which sits above it', async () => {
    const errors = await boundaryErrors('src/portfolios/wrong-import.ts', "export type { LedgerService } from '../ledger/index.js';\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/"portfolios".*"ledger"|"ledger".*"portfolios"/);
  });

  it("keeps the ledger's engine pure: it imports no service, and no domain reaches it but through the ledger's door", async () => {
    const fromCore = await boundaryErrors('src/ledger/core/wrong-import.ts', "export { LedgerService } from '../service.js';\n");
    expect(fromCore).toHaveLength(1);
    const io = await boundaryErrors('src/ledger/core/wrong-import.ts', "export { Prisma } from '../../platform/db.js';\n");
    expect(io).toHaveLength(1);
    const units = await boundaryErrors(
      'src/ledger/core/right-import.ts',
      "export { majorUnit } from '../../platform/currency-units.js';\n",
    );
    expect(units).toEqual([]);
    const fromAnalytics = await boundaryErrors('src/analytics/wrong-import.ts', "export { replay } from '../ledger/core/engine.js';\n");
    expect(fromAnalytics).toHaveLength(1);
    const fromLedger = await boundaryErrors(
      'src/ledger/right-import.ts',
      "export { replay } from './core/engine.js';\nexport { PortfolioRef } from '../portfolios/index.js';\n",
    );
    expect(fromLedger).toEqual([]);
  });

  it('refuses the ledger importing analytics (above it), and the pure broker readers importing I/O', async () => {
    expect(
      await boundaryErrors('src/ledger/wrong-import.ts', "export type { AnalyticsService } from '../analytics/index.js';\n"),
    ).toHaveLength(1);
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", {
      filePath: `${PROJECT_ROOT}/src/ledger/broker-formats/wrong-import.ts`,
    });
    expect(result?.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});
