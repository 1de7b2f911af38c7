/**
 * Secrets never reach a log line, whatever logs them and at whatever level: every log call's
 * objects and message go through here (pino's logMethod hook, and the err/req serializers).
 * - By field name: a key that names a secret (password, token, secret, code, key, authorization,
 *   cookie …) has its value replaced, at any depth.
 * - By the type of the value: a string shaped like a credential (a JWT, an `fg_` API token, a
 *   256-bit opaque token, a `Bearer …` credential) is replaced wherever it appears, also inside
 *   free text (an error message, a URL).
 * - Inside text: `name: "value"`, `"name":"value"` and `name=value` pairs whose name is a secret's
 *   (graphql's and JSON.parse's messages quote the input), and JSON.parse's snippet of the body.
 */

export const REDACTED = '[redacted]';

/** Keys whose values are secrets, compared lower-cased without separators. */
const SECRET_KEY = /password|passphrase|token|secret|apikey|authorization|cookie|credential|otp|privatekey|signature/;
const SECRET_KEY_EXACT = new Set(['code', 'mfacode', 'backupcode', 'key', 'jwt', 'bearer', 'auth']);
/** Keys that merely count or point at secrets: kept (an id says which token, not what it is). */
const HARMLESS_SUFFIX = /(id|ids|count|hash|expiresat|createdat|usedat|name|names|prefix|limit|scope|purpose|kind|type)$/;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEY_EXACT.has(k)) return true;
  return SECRET_KEY.test(k) && !HARMLESS_SUFFIX.test(k);
}

const SECRET_NAME = String.raw`[A-Za-z_$]*(?:password|Password|PASSWORD|token|Token|TOKEN|secret|Secret|SECRET|apiKey|ApiKey|api_key|authorization|Authorization|AUTHORIZATION|cookie|Cookie|code|Code|otp|OTP)[A-Za-z_]*`;
/** An error code constant (`"code": "BAD_USER_INPUT"`): no secret, and what a reader needs. */
const ERROR_CODE = /^["']?[A-Z][A-Z0-9_]*["']?$/;
type Replacement = string | ((match: string, ...groups: string[]) => string);
const VALUE_PATTERNS: Array<[RegExp, Replacement]> = [
  // JSON.parse's snippet of the refused body: `Unexpected token …, "{"pass…" is not valid JSON`.
  [/"[\s\S]*"(?:\.\.\.)? is not valid JSON/g, 'the body is not valid JSON'],
  // `"password":"…"`, `password: "…"` (graphql's inspect), `'token': '…'`.
  [
    new RegExp(String.raw`(["']?)\$?(${SECRET_NAME})\1(\s*:\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,;}\]"'&]+)`, 'g'),
    (match: string, quote: string, name: string, colon: string, value: string) =>
      ERROR_CODE.test(value) ? match : `${quote}${name}${quote}${colon}"${REDACTED}"`,
  ],
  // `token=…` in a URL's query or a form body.
  [new RegExp(String.raw`([?&;]\s*${SECRET_NAME}=)[^&#\s"']*`, 'g'), `$1${REDACTED}`],
  // Credentials by their shape.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\bfg_[A-Za-z0-9_-]{8,}/g, REDACTED],
  // A 256-bit opaque token (43 base64url characters). Random ones mix upper and lower case (all
  // one case has a chance of about 1e-10); names that happen to be 43 characters long (a test
  // database, a migration) are one case, and stay readable.
  [
    /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    (match: string) => (/[A-Z]/.test(match) && /[a-z]/.test(match) ? REDACTED : match),
  ],
];

/** Free text with every secret it quotes replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of VALUE_PATTERNS) out = out.replace(pattern, replacement as (match: string) => string);
  return out;
}

const MAX_DEPTH = 8;

/** A copy of `value` with secrets replaced (by key, by value shape); plain data only. */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[…]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value) || value instanceof Map || value instanceof Set) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Class instances (a request, a socket) are the serializers' business, not walked here.
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactEntry(key, item, depth, seen);
  return out;
}

function redactEntry(key: string, item: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (isSecretKey(key) && item != null && item !== '' && !(typeof item === 'string' && ERROR_CODE.test(item))) return REDACTED;
  return redactValue(item, depth + 1, seen);
}

/** Keys whose values pino's serializers shape (and redact) themselves. */
const SERIALIZED = new Set(['req', 'res', 'err', 'error']);

/** The arguments of one log call, secrets replaced (pino's logMethod hook). */
export function redactLogArguments(args: unknown[]): unknown[] {
  return args.map((arg) => {
    if (typeof arg === 'string') return redactText(arg);
    if (arg === null || typeof arg !== 'object' || arg instanceof Error) return arg;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(arg)) out[key] = SERIALIZED.has(key) ? item : redactEntry(key, item, 0, new WeakSet());
    return out;
  });
}

/** An error as a log line shows it (type, message, stack, code, own fields), secrets replaced. */
export function redactError(error: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (!(error instanceof Error)) return redactValue(error, depth, seen);
  const out: Record<string, unknown> = { type: error.constructor?.name ?? 'Error', message: redactText(error.message) };
  if (error.stack) out.stack = redactText(error.stack);
  for (const [key, item] of Object.entries(error)) {
    if (key === 'message' || key === 'stack') continue;
    out[key] = redactEntry(key, item, depth, seen);
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < MAX_DEPTH) out.cause = redactValue(cause, depth + 1, seen);
  return out;
}

/** A request as log lines show it: the path, and a query string with its secrets replaced. */
export function redactRequest(request: {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host ?? request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * A URL without its query values: a GET /graphql carries variables (passwords, tokens) in
 * `variables=` and `query=`, link routes carry `token=`. Names stay, values go.
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return redactText(url);
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=${REDACTED}`);
  return `${redactText(url.slice(0, at))}?${names.join('&')}`;
}
