/** The one decimal grammar and the text rule: what passes, what is refused, and that nothing is expanded. */
import { describe, expect, it } from 'vitest';
import { DECIMAL_TEXT_MAX, parseDecimalText } from './decimal-text.js';
import { textProblem } from './text.js';

describe('parseDecimalText', () => {
  it('takes plain decimals of at most 40 characters, and JSON numbers that print as one', () => {
    for (const text of ['0', '-1.5', '+.5', '7.', ' 12.25 ', `1.${'0'.repeat(DECIMAL_TEXT_MAX - 2)}`]) {
      expect(parseDecimalText(text)).toHaveProperty('value');
    }
    const parsed = parseDecimalText(10.5);
    expect('value' in parsed && parsed.value.toFixed()).toBe('10.5');
  });

  it('refuses exponents (without expanding them), overlong text, junk and non-strings', () => {
    const refused = [
      '1e600000000',
      '1E-7',
      '9'.repeat(DECIMAL_TEXT_MAX + 1),
      '0x10',
      'NaN',
      'Infinity',
      '1_000',
      '',
      '.',
      '١٢٣',
      1e21,
      1e-7,
      Number.NaN,
      null,
      {},
      [],
    ];
    for (const value of refused) expect(parseDecimalText(value), String(value)).toHaveProperty('problem');
    expect(parseDecimalText('1e600000000')).toEqual({ problem: expect.stringMatching(/exponent/) });
    expect(parseDecimalText(`${' '.repeat(1_000_000)}1`)).toEqual({ problem: expect.stringMatching(/at most 40/) });
  });
});

describe('textProblem', () => {
  it('refuses NUL and unpaired surrogates, accepts any other Unicode', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('\uD800')).toMatch(/surrogate/);
    expect(textProblem('x\uDC00')).toMatch(/surrogate/);
    expect(textProblem('\uDC00\uD800')).toMatch(/surrogate/);
    for (const ok of ['', 'plain', 'Zürich €', '📈 \uD83D\uDE80', '\t\n\r']) expect(textProblem(ok)).toBeNull();
  });
});
