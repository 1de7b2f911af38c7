/**
 * Text the API accepts: well-formed UTF-16 (no unpaired surrogate, which has no UTF-8 form) and no
 * NUL character (PostgreSQL's text types cannot hold U+0000: "invalid byte sequence for encoding
 * UTF8: 0x00").
 */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const NUL_OR_LONE_SURROGATE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as text, or null when it can. */
export function textProblem(text: string): string | null {
  const match = NUL_OR_LONE_SURROGATE.exec(text);
  if (!match) return null;
  return match[0] === '\u0000' ? 'must not contain NUL characters (U+0000)' : 'must be valid Unicode (an unpaired surrogate was found)';
}
