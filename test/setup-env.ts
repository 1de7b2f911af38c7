// Applied in every test worker before the test files load.
process.env.NODE_ENV ??= 'test';
