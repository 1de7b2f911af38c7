/* foliograph's GraphiQL: queries and mutations over HTTP, subscriptions over graphql-ws, the
 * Headers pane's Authorization on both. Plain browser JavaScript over the UMD globals React,
 * ReactDOM, GraphiQL and graphqlWs (served from /graphiql/assets/). */
(function () {
  'use strict';
  var httpUrl = location.origin + '/graphql';
  var wsUrl = httpUrl.replace(/^http/, 'ws');

  // One socket per Authorization value: a new token in the Headers pane opens a new connection.
  var sockets = new Map();
  function authorizationOf(headers) {
    if (!headers) return '';
    for (var name in headers) if (name.toLowerCase() === 'authorization') return String(headers[name]);
    return '';
  }
  function socketFor(authorization) {
    var client = sockets.get(authorization);
    if (!client) {
      client = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        retryAttempts: 0,
        connectionParams: authorization ? { Authorization: authorization } : {},
      });
      sockets.set(authorization, client);
    }
    return client;
  }

  function isSubscription(params, options) {
    var document = options && options.documentAST;
    if (document && document.definitions) {
      var operations = document.definitions.filter(function (d) {
        return d.kind === 'OperationDefinition';
      });
      var chosen = operations.find(function (d) {
        return !params.operationName || (d.name && d.name.value === params.operationName);
      });
      return !!chosen && chosen.operation === 'subscription';
    }
    return /^\s*subscription\b/.test(params.query || '');
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params, options)) {
      var client = socketFor(authorizationOf(headers));
      return client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName });
    }
    return fetch(httpUrl, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json();
    });
  }

  var signIn = [
    '# Welcome to foliograph. To sign in:',
    '# 1. Run "SignIn" below (the demo account of `npm start`, or your own after "Register").',
    '# 2. Copy accessToken from the result into the Headers pane below:',
    '#      { "Authorization": "Bearer <accessToken>" }',
    '# 3. Run "Me"; the same header signs the subscription tab in over WebSocket.',
    '',
    'mutation SignIn {',
    '  login(input: { email: "demo@foliograph.dev", password: "demo-password-2026" }) {',
    '    __typename',
    '    ... on AuthPayload { accessToken refreshToken expiresIn user { id email name } }',
    '    ... on MfaChallenge { challengeToken expiresAt }',
    '  }',
    '}',
    '',
    'mutation Register {',
    '  register(input: { email: "you@example.com", password: "a-long-password", name: "You" }) {',
    '    accessToken refreshToken user { id email }',
    '  }',
    '}',
    '',
    'query Me {',
    '  me { id email name }',
    '  portfolios(first: 10) { totalCount edges { node { id name } } }',
    '}',
    '',
  ].join('\n');
  var live = [
    '# Live prices over WebSocket (graphql-ws on /graphql); needs the Authorization header.',
    'subscription LiveQuotes {',
    '  quotes(symbols: ["AAPL", "MSFT"]) { symbol price changePercent timestamp source }',
    '}',
    '',
  ].join('\n');
  var headers = JSON.stringify({ Authorization: 'Bearer <accessToken from SignIn>' }, null, 2);

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      defaultTabs: [
        { query: signIn, headers: headers },
        { query: live, headers: headers },
      ],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
