/**
 * The SDK as a third party gets it: packages/sdk is built (scripts/build-sdk.mjs, part of
 * `npm run codegen`), packed with `npm pack`, installed from the tarball into a scratch project
 * (offline: its one dependency links to this repo's node_modules copy; Apollo Client, urql and
 * graphql come from the repo's node_modules by Node's parent-folder lookup), and a small program
 * using it with Apollo Client, urql and graphql-request (and its session helper) type-checks under
 * strict settings, and runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';

const SDK = join(PROJECT_ROOT, 'packages', 'sdk');
// Inside the repo (git-ignored scratch/), so the consumer's imports of Apollo and urql resolve.
mkdirSync(join(PROJECT_ROOT, 'scratch'), { recursive: true });
const scratch = mkdtempSync(join(PROJECT_ROOT, 'scratch', 'sdk-consumer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

const PROGRAM = `
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import {
  createSession,
  CreatePortfolioDocument,
  LiveQuotesDocument,
  LoginDocument,
  MeDocument,
  type CreatePortfolioMutationVariables,
  type MeQuery,
} from '@foliograph/sdk';

export async function withApollo(uri: string): Promise<string | undefined> {
  const client = new ApolloClient({ link: new HttpLink({ uri }), cache: new InMemoryCache() });
  const login = await client.mutate({ mutation: LoginDocument, variables: { input: { email: 'a@b.c', password: 'x' } } });
  const typename: 'AuthPayload' | 'MfaChallenge' | undefined = login.data?.login.__typename;
  const me = await client.query({ query: MeDocument });
  const email: string | undefined = me.data?.me?.email;
  // @ts-expect-error: variables are typed (input is required)
  await client.mutate({ mutation: CreatePortfolioDocument, variables: {} });
  return typename ? email : undefined;
}

export async function withGraphqlRequest(url: string): Promise<string | undefined> {
  const me = await new GraphQLClient(url).request(MeDocument);
  return me.me?.email;
}
export function session(url: string): Promise<Record<string, string>> {
  return createSession({ url }).connectionParams();
}
export async function withUrql(url: string): Promise<MeQuery['me']> {
  const client = new Client({ url, exchanges: [cacheExchange, fetchExchange] });
  const variables: CreatePortfolioMutationVariables = { input: { name: 'From urql' } };
  const created = await client.mutation(CreatePortfolioDocument, variables).toPromise();
  const name: string | undefined = created.data?.createPortfolio.name;
  // @ts-expect-error: the result type is exact (there is no such field)
  created.data?.createPortfolio.nope;
  client.subscription(LiveQuotesDocument, { symbols: ['AAPL'] });
  const me = await client.query(MeDocument, {}).toPromise();
  return name ? (me.data?.me ?? null) : null;
}
`;

describe('the SDK package', () => {
  it('packs, installs from the tarball into a fresh project, type-checks with Apollo Client and urql, and runs', () => {
    run(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-sdk.mjs')], PROJECT_ROOT);
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], SDK)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/graphql.js',
        'dist/graphql.d.ts',
        'persisted-documents.json',
        'package.json',
      ]),
    );
    expect(files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);

    const project = join(scratch, 'app');
    mkdirSync(project);
    const tarball = join(scratch, packed[0]!.filename);
    const typedDocumentNode = join(PROJECT_ROOT, 'node_modules', '@graphql-typed-document-node', 'core');
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'sdk-consumer',
        private: true,
        type: 'module',
        dependencies: { '@foliograph/sdk': `file:${tarball}`, '@graphql-typed-document-node/core': `file:${typedDocumentNode}` },
      }),
    );
    run('npm', ['install', '--offline', '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund'], project);
    const installed = join(project, 'node_modules', '@foliograph', 'sdk');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      exports: unknown;
    };
    // graphql 16 and 17 both serve.
    expect(manifest.peerDependencies.graphql).toBe('^16.0.0 || ^17.0.0');
    expect(manifest.dependencies).toHaveProperty('@graphql-typed-document-node/core');
    // Every package the built files import is one the package declares.
    const imported = new Set<string>();
    for (const file of readdirSync(join(installed, 'dist'))) {
      for (const [, spec] of readFileSync(join(installed, 'dist', file), 'utf8').matchAll(/from ['"]([^.'"][^'"]*)['"]/g))
        imported.add(spec!);
    }
    expect([...imported].filter((spec) => !(spec in manifest.dependencies) && spec !== 'graphql')).toEqual([]);

    writeFileSync(join(project, 'main.ts'), PROGRAM);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['ES2023', 'DOM'],
        },
        files: ['main.ts'],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    let typeErrors = '';
    try {
      run(process.execPath, [tsc, '-p', project], project);
    } catch (error) {
      typeErrors = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(typeErrors).toBe('');

    // And it loads as ESM: every document is a real DocumentNode.
    const loaded = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const sdk = await import('@foliograph/sdk'); console.log(JSON.stringify({ me: sdk.MeDocument.kind, count: Object.keys(sdk).filter((k) => k.endsWith('Document')).length, session: typeof sdk.createSession }))",
      ],
      project,
    );
    const { me, count, session } = JSON.parse(loaded) as { me: string; count: number; session: string };
    expect(me).toBe('Document');
    expect(session).toBe('function');
    expect(count).toBeGreaterThan(40);
  }, 120_000);
});
