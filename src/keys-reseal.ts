/**
 * `npm run keys:reseal` (in the image: `node dist/keys-reseal.js`): re-seals every stored TOTP
 * secret under the current MFA_ENCRYPTION_KEY, after which the keys in MFA_PREVIOUS_KEYS can be
 * removed (see docs/operations.md, "Rotating keys"). Safe to run while the service serves, and
 * more than once.
 */
import { resealMfaSecrets } from './auth/index.js';
import { ConfigError, loadConfig } from './config.js';
import { createDb } from './platform/db.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `keys:reseal cannot start: ${error.message}` : error);
  process.exit(1);
}
const db = createDb({ url: config.DATABASE_URL, poolSize: 1 });
try {
  const { resealed, current } = await resealMfaSecrets(db, config);
  console.log(JSON.stringify({ msg: 'MFA secrets re-sealed under the current key', resealed, alreadyCurrent: current }));
} catch (error) {
  console.error(`keys:reseal failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
