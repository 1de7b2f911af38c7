/* foliograph's GraphiQL: queries and mutations over HTTP, subscriptions over graphql-ws, the
 * Headers pane's Authorization on both. Plain browser JavaScript over the UMD globals React,
 * ReactDOM, GraphiQL and graphqlWs (served from /graphiql/assets/). */
(function () {
  'use strict';
  var httpUrl = location.origin + '/graphql';
  var wsUrl = httpUrl.replace(/^http/, 'ws');

  // One sign-in for every tab: the token of the last SignIn (login, verifyMfaLogin, register,
  // refreshToken) signs in every tab whose Headers pane has no real Authorization of its own
  // (none, or the welcome text's placeholder). Kept for this browser tab's session only.
  var SIGNED_IN = 'foliograph.graphiql.authorization';
  function rememberSignIn(result) {
    var data = result && result.data;
    if (!data) return;
    ['login', 'verifyMfaLogin', 'register', 'refreshToken'].forEach(function (field) {
      var payload = data[field];
      if (payload && typeof payload.accessToken === 'string') sessionStorage.setItem(SIGNED_IN, 'Bearer ' + payload.accessToken);
    });
  }

  // One socket per Authorization value: a new token in the Headers pane opens a new connection.
  var sockets = new Map();
  function authorizationOf(headers) {
    if (headers) {
      for (var name in headers) {
        var value = String(headers[name]);
        if (name.toLowerCase() === 'authorization' && value.indexOf('<') < 0) return value;
      }
    }
    return sessionStorage.getItem(SIGNED_IN) || '';
  }
  function withAuthorization(headers) {
    var rest = {};
    for (var name in headers || {}) if (name.toLowerCase() !== 'authorization') rest[name] = headers[name];
    var authorization = authorizationOf(headers);
    if (authorization) rest.Authorization = authorization;
    return rest;
  }

  // A refused socket ends the stream with a CloseEvent, which GraphiQL would print as
  // {"isTrusted":true}: show its code and reason as a GraphQL error instead.
  async function* subscription(client, payload) {
    try {
      for await (const result of client.iterate(payload)) yield result;
    } catch (error) {
      if (error && typeof error.code === 'number') {
        yield {
          errors: [
            {
              message: 'The server closed the socket: ' + error.code + ' ' + (error.reason || ''),
              extensions: { closeCode: error.code, reason: error.reason },
            },
          ],
        };
      } else {
        yield { errors: [{ message: String((error && error.message) || error) }] };
      }
    }
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
      return subscription(client, { query: params.query, variables: params.variables, operationName: params.operationName });
    }
    return fetch(httpUrl, {
      method: 'POST',
      headers: Object.assign(
        { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        withAuthorization(headers),
      ),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json().then(function (result) {
        rememberSignIn(result);
        return result;
      });
    });
  }

  var signIn = [
    '# Welcome to foliograph. To sign in:',
    '# 1. Run SignIn (the demo account that `npm start` seeds; or Register in the next tab).',
    '# 2. That signs in every tab, queries and subscriptions alike, for this browser session.',
    "#    (An Authorization you type into a tab's Headers pane wins for that tab:",
    '#      { "Authorization": "Bearer <token>" }, e.g. a personal API token.)',
    '# 3. Run the queries of the next tabs.',
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
    '# Signed in by SignIn (first tab).',
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
    '# Live prices over WebSocket (graphql-ws on /graphql); signed in by SignIn (first tab).',
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
