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

  // Operation names as written, for when GraphiQL's (debounced) operationName lags behind an edit.
  function operationNames(query) {
    var names = [];
    var pattern = /(?:^|\})\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;
    var text = (query || '').replace(/#[^\n]*/g, '');
    var match;
    while ((match = pattern.exec(text))) names.push(match[1]);
    return names;
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var names = operationNames(params.query);
    if (params.operationName && names.indexOf(params.operationName) < 0) {
      params = Object.assign({}, params, { operationName: names.length === 1 ? names[0] : undefined });
      options = Object.assign({}, options, { documentAST: undefined });
    }
    if (isSubscription(params, options)) {
      var client = socketFor(authorizationOf(headers));
      return client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName });
    }
    return fetch(httpUrl, {
      method: 'POST',
      headers: Object.assign(
        { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        headers,
      ),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json();
    });
  }

  var signIn = [
    '# Welcome to foliograph. To sign in:',
    '# 1. Run SignIn (the demo account that `npm start` seeds; or Register in the next tab).',
    '# 2. Copy accessToken from the result into the Headers pane below:',
    '#      { "Authorization": "Bearer <accessToken>" }',
    '# 3. Run the queries of the next tabs; the same header signs subscriptions in over WebSocket.',
    '',
    'mutation SignIn {',
    '  login(input: { email: "demo@foliograph.dev", password: "demo-password-2026" }) {',
    '    __typename',
    '    ... on AuthPayload { accessToken refreshToken expiresIn user { id email name } }',
    '    ... on MfaChallenge { challengeToken expiresAt }',
    '  }',
    '}',
    '',
  ].join('\n');
  var account = [
    '# Needs the Authorization header from SignIn (first tab).',
    'query Me {',
    '  me { id email name }',
    '  portfolios(first: 10) { totalCount edges { node { id name } } }',
    '}',
    '',
    '# A new account (then sign in with it).',
    'mutation Register {',
    '  register(input: { email: "you@example.com", password: "a-long-password", name: "You" }) {',
    '    accessToken refreshToken user { id email }',
    '  }',
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
      defaultHeaders: headers,
      defaultTabs: [
        { query: signIn, headers: headers },
        { query: account, headers: headers },
        { query: live, headers: headers },
      ],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
