/**
 * GraphiQL at /graphiql (outside production), served entirely from our own npm packages (graphiql
 * v3's UMD bundle and CSS, React 18's UMD builds, graphql-ws' browser client), so it works offline
 * and behind a proxy. Its fetcher (public/graphiql.js) sends queries and mutations over HTTP and
 * streams subscriptions over graphql-ws on /graphql; the Headers pane's `Authorization` goes to
 * both (as `connectionParams.Authorization` on the socket).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ROOT } from '../platform/paths.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** file name under /graphiql/assets/ → [path on disk, content type] */
const ASSETS: Record<string, [string, string]> = {
  'react.js': [join(packageDir('react'), 'umd', 'react.production.min.js'), 'text/javascript'],
  'react-dom.js': [join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), 'text/javascript'],
  'graphiql.js': [join(packageDir('graphiql'), 'graphiql.min.js'), 'text/javascript'],
  'graphiql.css': [join(packageDir('graphiql'), 'graphiql.min.css'), 'text/css'],
  'graphql-ws.js': [join(packageDir('graphql-ws'), 'umd', 'graphql-ws.min.js'), 'text/javascript'],
  'app.js': [join(PROJECT_ROOT, 'public', 'graphiql.js'), 'text/javascript'],
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>foliograph GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/assets/graphql-ws.js"></script>
  <script src="/graphiql/assets/app.js"></script>
</body>
</html>
`;

export async function graphiqlRoutes(app: FastifyInstance): Promise<void> {
  // Read once at start: a missing package fails the start, not a developer's page load.
  const assets = new Map(Object.entries(ASSETS).map(([name, [file, type]]) => [name, { body: readFileSync(file), type }]));
  app.get('/graphiql', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE));
  app.get<{ Params: { file: string } }>('/graphiql/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.callNotFound();
    return reply.type(`${asset.type}; charset=utf-8`).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}
