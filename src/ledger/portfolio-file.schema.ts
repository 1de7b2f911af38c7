/** Portfolio files in GraphQL: exportPortfolio and importPortfolio, their types and input. */
import { builder } from '../graphql/builder.js';
import { FILE_FORMATS, type ImportOutcome, type ImportProblem, type PortfolioFile } from './import-export.js';
import { actorOf, onPortfolio, PortfolioRef, READ_ROLES } from '../portfolios/index.js';

const FileFormatEnum = builder.enumType('PortfolioFileFormat', {
  description: 'Portfolio file formats (docs/import-export.md).',
  values: FILE_FORMATS,
});

const PortfolioFileRef = builder.objectRef<PortfolioFile & { format: (typeof FILE_FORMATS)[number] }>('PortfolioFile').implement({
  description: 'An exported portfolio: the file to offer for download.',
  fields: (t) => ({
    format: t.expose('format', { nullable: false, type: FileFormatEnum }),
    filename: t.exposeString('filename', { nullable: false }),
    contentType: t.exposeString('contentType', { nullable: false }),
    data: t.exposeString('data', { nullable: false, description: 'The file itself (UTF-8 text).' }),
  }),
});

const ImportProblemRef = builder.objectRef<ImportProblem>('ImportProblem').implement({
  fields: (t) => ({
    row: t.exposeInt('row', {
      nullable: true,
      description:
        'CSV: the line the row starts on (the header is line 1). JSON: the 1-based position in `transactions` (version 2) or `investments` (version 1). Null for problems of the file as a whole, the portfolio or custom assets.',
    }),
    field: t.exposeString('field', { nullable: false }),
    message: t.exposeString('message', { nullable: false }),
  }),
});

const PortfolioImportRef = builder.objectRef<ImportOutcome>('PortfolioImport').implement({
  description: 'What an import created (or, in a dry run, would create), and every problem found.',
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', { nullable: false }),
    valid: t.exposeBoolean('valid', { nullable: false, description: 'True when the file has no problems.' }),
    portfolio: t.field({
      type: PortfolioRef,
      nullable: true,
      description: 'The new portfolio; null for a dry run.',
      resolve: (o) => o.portfolio,
    }),
    name: t.exposeString('name', { nullable: false, description: "The new portfolio's name." }),
    investmentCount: t.exposeInt('investmentCount', {
      nullable: false,
      description: 'Investments created: the rows of a version 1 file, the BUYs of a ledger file.',
    }),
    transactionCount: t.exposeInt('transactionCount', {
      nullable: false,
      description: 'Transactions created (each investment is a BUY transaction too).',
    }),
    customAssetsCreated: t.exposeStringList('customAssetsCreated', { nullable: false }),
    customAssetsReused: t.exposeStringList('customAssetsReused', {
      nullable: false,
      description: 'Custom assets in the file the caller already has: theirs is used, the file’s definition and prices are not.',
    }),
    priceCount: t.exposeInt('priceCount', { nullable: false, description: 'Prices stored for the custom assets created.' }),
    problems: t.field({ type: [ImportProblemRef], nullable: false, resolve: (o) => o.problems }),
  }),
});

const ImportPortfolioInputRef = builder.inputType('ImportPortfolioInput', {
  fields: (t) => ({
    format: t.field({ type: FileFormatEnum, required: true }),
    data: t.string({ required: true, description: 'The file (at most 4 MiB; 20,000 transactions or 5,000 investments).' }),
    name: t.string({ description: 'The new portfolio\'s name; else the file\'s, else "Imported portfolio".' }),
    dryRun: t.boolean({ defaultValue: false, description: 'Check only: report what would be created, write nothing.' }),
  }),
});

builder.queryFields((t) => ({
  exportPortfolio: t.field({
    type: PortfolioFileRef,
    nullable: false,
    description:
      'The portfolio as a file: JSON version 2 (its transactions, and the custom assets it holds with their prices) or CSV (its transactions, with a `type` column).',
    args: { id: t.arg.id({ required: true }), format: t.arg({ type: FileFormatEnum, required: true }) },
    authScopes: (_root, { id }) => onPortfolio(id, READ_ROLES.collaboration),
    resolve: async (_root, { id, format }, ctx) => ({ format, ...(await ctx.services.ledger.exportFile(id, format)) }),
  }),
}));

builder.mutationFields((t) => ({
  importPortfolio: t.field({
    type: PortfolioImportRef,
    nullable: false,
    description:
      "Creates a portfolio of the caller's from a file, all or nothing; with dryRun, only checks it. A real run with problems fails with BAD_USER_INPUT listing them all (details carry the row).",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ImportPortfolioInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.ledger.importFile(actorOf(ctx), input),
  }),
}));
