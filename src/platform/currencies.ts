/**
 * ISO 4217 active alphabetic codes (Table A.1, "list one"), as amended to 2026: includes XCG
 * (Caribbean guilder, replaced ANG in 2025) and ZWG (Zimbabwe Gold, replaced ZWL in 2024); BGN is
 * gone since Bulgaria adopted the euro on 2026-01-01, as are HRK, CUC, SLL and ANG.
 * Left out on purpose: XTS (reserved for testing) and XXX (no currency), which cannot price a
 * portfolio or an asset. Fund codes (BOV, CHE, CLF, ...), precious metals (XAU, XAG, XPT, XPD) and
 * XDR stay: a portfolio may well be kept in gold.
 */
export const ISO_4217_CODES: ReadonlySet<string> = new Set(
  `
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
  CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
  GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
  KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
  MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
  SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
  USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF
  XPT XSU XUA YER ZAR ZMW ZWG
  `
    .trim()
    .split(/\s+/),
);

export function isCurrencyCode(code: string): boolean {
  return ISO_4217_CODES.has(code);
}
