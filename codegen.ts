/**
 * The typed client SDK: `npm run codegen` turns schema/schema.graphql and the operations in
 * schema/operations/*.graphql into typed documents (TypedDocumentNode) under schema/sdk/.
 * Integrators use these with any client (Apollo, urql, graphql-request); the integration tests
 * use them too, so the SDK is exercised on every run.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

export const SDK_DIR = 'schema/sdk/';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    [SDK_DIR]: {
      preset: 'client',
      // persistedDocuments: also writes persisted-documents.json (sha256 → document), the
      // manifest of trusted documents (TRUSTED_DOCUMENTS=only runs just these).
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        scalars: { DateTime: 'string', Date: 'string', Decimal: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
        strictScalars: true,
      },
    },
  },
};

export default config;
