/**
 * The built-in symbol master: about 150 real, well-known instruments the simulated provider prices
 * and the app can seed its asset table from. Names, exchanges, currencies and sectors are real;
 * base prices are roughly the split-adjusted closes around 2020-01-01 and, like the fundamentals,
 * only need to be plausible: every price after that date is simulated.
 */
import type { AssetType, ProviderSymbol } from './types.js';
import type { FactorLoadings } from './factors.js';
import { normalizeSymbol } from '../../platform/symbols.js';

/** The day each instrument's close equals its base price; the simulation compounds from here. */
export const SIMULATION_BASE_DATE = '2020-01-01';

export interface SimulationParameters {
  /** Close on SIMULATION_BASE_DATE, in the instrument's currency. */
  basePrice: number;
  /** Expected annual log-return before the volatility correction (0.10 = 10 % a year). */
  drift: number;
  /** Annualised standard deviation of returns (0.30 = 30 %). */
  volatility: number;
  /** Average units traded a day; null for mutual funds, which have no exchange volume. */
  averageVolume: number | null;
  /** Correlations of daily returns with the market factors (src/market/providers/factors.ts). */
  factorLoadings: FactorLoadings;
}

export interface InstrumentFundamentals {
  /** Shares (or coins in circulation) used for market capitalisation; null when meaningless. */
  sharesOutstanding: number | null;
  peRatio: number | null;
  /** Fraction: 0.03 = 3 %. */
  dividendYield: number | null;
}

export interface UniverseInstrument extends ProviderSymbol {
  simulation: SimulationParameters;
  fundamentals: InstrumentFundamentals;
}

type Row = readonly [
  symbol: string,
  name: string,
  sector: string | null,
  basePrice: number,
  drift: number,
  volatility: number,
  sharesMillions: number | null,
  peRatio: number | null,
  dividendYield: number | null,
  volumeMillions: number | null,
];

/**
 * `loadings` is the group's typical exposure; FACTOR_LOADING_OVERRIDES holds the instruments that
 * differ from it.
 */
function listing(
  type: AssetType,
  exchange: string | null,
  currency: string,
  loadings: FactorLoadings,
  rows: readonly Row[],
): UniverseInstrument[] {
  return rows.map(([symbol, name, sector, basePrice, drift, volatility, sharesMillions, peRatio, dividendYield, volumeMillions]) => ({
    symbol,
    name,
    type,
    currency,
    exchange,
    sector,
    simulation: {
      basePrice,
      drift,
      volatility,
      averageVolume: volumeMillions === null ? null : volumeMillions * 1e6,
      factorLoadings: FACTOR_LOADING_OVERRIDES[symbol] ?? loadings,
    },
    fundamentals: {
      sharesOutstanding: sharesMillions === null ? null : sharesMillions * 1e6,
      peRatio,
      dividendYield,
    },
  }));
}

const IT = 'Information Technology';
const COMM = 'Communication Services';
const DISC = 'Consumer Discretionary';
const STAPLES = 'Consumer Staples';
const ENERGY = 'Energy';
const FIN = 'Financials';
const HEALTH = 'Health Care';
const IND = 'Industrials';
const MAT = 'Materials';
const UTIL = 'Utilities';
const REAL_ESTATE = 'Real Estate';
const EQUITY = 'Equity';
const FIXED_INCOME = 'Fixed Income';
const COMMODITIES = 'Commodities';

/** Group defaults: a typical large cap correlates about 0.7 with its home market. */
const US_STOCK: FactorLoadings = { usEquity: 0.7 };
const EUROPEAN_STOCK: FactorLoadings = { europeEquity: 0.65 };
/** A world tracker: mostly US, the rest mostly Europe. */
const WORLD_EQUITY: FactorLoadings = { usEquity: 0.6, europeEquity: 0.38 };
const US_BROAD_EQUITY: FactorLoadings = { usEquity: 0.99 };
const BOND_FUND: FactorLoadings = { bonds: 0.95 };
const HIGH_YIELD: FactorLoadings = { bonds: 0.45, usEquity: 0.55 };
/** Crypto moves with crypto, a little with (US tech) equities. */
const CRYPTO: FactorLoadings = { crypto: 0.75, usEquity: 0.25 };

/** Instruments whose exposure differs from their group's default: defensives lower, broad funds higher. */
const FACTOR_LOADING_OVERRIDES: Readonly<Record<string, FactorLoadings>> = {
  // US stocks
  MSFT: { usEquity: 0.78 },
  GOOGL: { usEquity: 0.72 },
  AMZN: { usEquity: 0.68 },
  NVDA: { usEquity: 0.65 },
  META: { usEquity: 0.6 },
  TSLA: { usEquity: 0.5 },
  AVGO: { usEquity: 0.65 },
  COST: { usEquity: 0.55 },
  PEP: { usEquity: 0.45 },
  CSCO: { usEquity: 0.6 },
  AMD: { usEquity: 0.6 },
  INTC: { usEquity: 0.55 },
  NFLX: { usEquity: 0.5 },
  CMCSA: { usEquity: 0.55 },
  'BRK-B': { usEquity: 0.8 },
  JPM: { usEquity: 0.75 },
  V: { usEquity: 0.75 },
  MA: { usEquity: 0.75 },
  BLK: { usEquity: 0.75 },
  JNJ: { usEquity: 0.45 },
  UNH: { usEquity: 0.45 },
  LLY: { usEquity: 0.4 },
  ABBV: { usEquity: 0.4 },
  MRK: { usEquity: 0.4 },
  PFE: { usEquity: 0.4 },
  ABT: { usEquity: 0.5 },
  XOM: { usEquity: 0.5 },
  CVX: { usEquity: 0.5 },
  PG: { usEquity: 0.45 },
  KO: { usEquity: 0.45 },
  WMT: { usEquity: 0.45 },
  MCD: { usEquity: 0.5 },
  DIS: { usEquity: 0.6 },
  T: { usEquity: 0.4 },
  VZ: { usEquity: 0.4 },
  BA: { usEquity: 0.55 },
  UPS: { usEquity: 0.55 },
  NEE: { usEquity: 0.45 },
  PLD: { usEquity: 0.6 },
  AMT: { usEquity: 0.5 },
  // European stocks
  'SIE.DE': { europeEquity: 0.75 },
  'ALV.DE': { europeEquity: 0.75 },
  'DTE.DE': { europeEquity: 0.55 },
  'ASML.AS': { europeEquity: 0.5, usEquity: 0.3 },
  'AD.AS': { europeEquity: 0.45 },
  'HEIA.AS': { europeEquity: 0.55 },
  'SAN.PA': { europeEquity: 0.5 },
  'BNP.PA': { europeEquity: 0.7 },
  'NESN.SW': { europeEquity: 0.5 },
  'NOVN.SW': { europeEquity: 0.5 },
  'ROG.SW': { europeEquity: 0.5 },
  'AZN.L': { europeEquity: 0.5 },
  'ULVR.L': { europeEquity: 0.5 },
  'GSK.L': { europeEquity: 0.45 },
  'DGE.L': { europeEquity: 0.5 },
  'NOVO-B.CO': { europeEquity: 0.45 },
  // ETFs and equity funds
  VTI: { usEquity: 0.98 },
  VTSAX: { usEquity: 0.98 },
  QQQ: { usEquity: 0.92 },
  IWM: { usEquity: 0.85 },
  DIA: { usEquity: 0.95 },
  VT: { usEquity: 0.6, europeEquity: 0.25, emergingEquity: 0.15 },
  EFA: { europeEquity: 0.85, usEquity: 0.1 },
  VEA: { europeEquity: 0.85, usEquity: 0.1 },
  VWO: { emergingEquity: 0.92 },
  IEMG: { emergingEquity: 0.92 },
  SCHD: { usEquity: 0.9 },
  VIG: { usEquity: 0.93 },
  XLK: { usEquity: 0.9 },
  XLF: { usEquity: 0.85 },
  XLE: { usEquity: 0.6 },
  ARKK: { usEquity: 0.7 },
  VNQ: { usEquity: 0.7 },
  GLD: { gold: 0.9, usEquity: 0.05 },
  SLV: { gold: 0.8, usEquity: 0.2 },
  'CSPX.L': US_BROAD_EQUITY,
  // Bond funds
  TLT: { bonds: 0.9 },
  SHY: { bonds: 0.8 },
  TIP: { bonds: 0.8 },
  BNDX: { bonds: 0.8 },
  VBIRX: { bonds: 0.85 },
  LQD: { bonds: 0.85, usEquity: 0.2 },
  HYG: HIGH_YIELD,
  VWEHX: HIGH_YIELD,
  // Crypto
  'BTC-USD': { crypto: 0.85, usEquity: 0.25 },
  'ETH-USD': { crypto: 0.85, usEquity: 0.25 },
  'DOGE-USD': { crypto: 0.6, usEquity: 0.2 },
  'SHIB-USD': { crypto: 0.6, usEquity: 0.2 },
  'USDT-USD': {}, // a stablecoin: only its own noise
};

// Columns: symbol, name, sector, base price, drift, volatility, shares (millions), P/E, dividend yield, daily volume (millions).
const NASDAQ_STOCKS: Row[] = [
  ['AAPL', 'Apple Inc.', IT, 75.09, 0.2, 0.3, 15_000, 33, 0.0044, 55],
  ['MSFT', 'Microsoft Corporation', IT, 160.62, 0.18, 0.27, 7_430, 35, 0.0072, 22],
  ['GOOGL', 'Alphabet Inc. Class A', COMM, 68.43, 0.15, 0.3, 12_200, 25, 0.0045, 30],
  ['AMZN', 'Amazon.com, Inc.', DISC, 94.9, 0.15, 0.32, 10_500, 45, 0, 45],
  ['NVDA', 'NVIDIA Corporation', IT, 5.99, 0.45, 0.5, 24_400, 55, 0.0003, 250],
  ['META', 'Meta Platforms, Inc.', COMM, 209.78, 0.18, 0.38, 2_520, 27, 0.0035, 15],
  ['TSLA', 'Tesla, Inc.', DISC, 28.68, 0.35, 0.6, 3_200, 90, 0, 100],
  ['AVGO', 'Broadcom Inc.', IT, 31.6, 0.4, 0.38, 4_700, 60, 0.012, 25],
  ['COST', 'Costco Wholesale Corporation', STAPLES, 294.31, 0.2, 0.2, 443, 52, 0.005, 2],
  ['PEP', 'PepsiCo, Inc.', STAPLES, 137.34, 0.04, 0.16, 1_370, 24, 0.035, 5],
  ['CSCO', 'Cisco Systems, Inc.', IT, 48.42, 0.05, 0.22, 3_980, 20, 0.028, 18],
  ['ADBE', 'Adobe Inc.', IT, 334.43, 0.08, 0.32, 430, 28, 0, 3],
  ['AMD', 'Advanced Micro Devices, Inc.', IT, 49.1, 0.3, 0.5, 1_620, 100, 0, 50],
  ['INTC', 'Intel Corporation', IT, 60.84, -0.1, 0.35, 4_360, null, 0, 70],
  ['QCOM', 'QUALCOMM Incorporated', IT, 88.69, 0.1, 0.35, 1_100, 17, 0.022, 8],
  ['TXN', 'Texas Instruments Incorporated', IT, 129.57, 0.06, 0.25, 910, 35, 0.028, 6],
  ['NFLX', 'Netflix, Inc.', COMM, 329.81, 0.2, 0.4, 430, 45, 0, 4],
  ['CMCSA', 'Comcast Corporation', COMM, 45.22, 0, 0.24, 3_800, 9, 0.035, 20],
  ['HON', 'Honeywell International Inc.', IND, 178.0, 0.04, 0.22, 650, 24, 0.021, 3.5],
  ['LIN', 'Linde plc', MAT, 213.0, 0.14, 0.22, 475, 34, 0.012, 2],
];

const NYSE_STOCKS: Row[] = [
  ['BRK-B', 'Berkshire Hathaway Inc. Class B', FIN, 228.39, 0.1, 0.18, 2_160, 13, 0, 4],
  ['JPM', 'JPMorgan Chase & Co.', FIN, 141.09, 0.12, 0.25, 2_800, 12, 0.022, 9],
  ['V', 'Visa Inc.', FIN, 191.12, 0.12, 0.24, 1_950, 30, 0.0075, 7],
  ['MA', 'Mastercard Incorporated', FIN, 301.53, 0.13, 0.26, 920, 38, 0.0055, 3],
  ['BAC', 'Bank of America Corporation', FIN, 35.64, 0.08, 0.3, 7_700, 14, 0.024, 38],
  ['WFC', 'Wells Fargo & Company', FIN, 54.0, 0.05, 0.32, 3_300, 13, 0.021, 18],
  ['GS', 'The Goldman Sachs Group, Inc.', FIN, 231.0, 0.18, 0.28, 310, 16, 0.02, 2.5],
  ['MS', 'Morgan Stanley', FIN, 52.0, 0.2, 0.3, 1_610, 17, 0.027, 7],
  ['AXP', 'American Express Company', FIN, 126.0, 0.18, 0.3, 700, 21, 0.01, 3],
  ['BLK', 'BlackRock, Inc.', FIN, 508.0, 0.12, 0.26, 155, 24, 0.02, 0.7],
  ['JNJ', 'Johnson & Johnson', HEALTH, 145.97, 0.04, 0.17, 2_410, 15, 0.032, 7],
  ['UNH', 'UnitedHealth Group Incorporated', HEALTH, 292.5, 0.12, 0.25, 920, 20, 0.017, 3.5],
  ['LLY', 'Eli Lilly and Company', HEALTH, 133.47, 0.3, 0.3, 900, 60, 0.007, 3],
  ['ABBV', 'AbbVie Inc.', HEALTH, 89.55, 0.12, 0.24, 1_770, 45, 0.035, 6],
  ['MRK', 'Merck & Co., Inc.', HEALTH, 91.44, 0.05, 0.2, 2_530, 14, 0.033, 9],
  ['PFE', 'Pfizer Inc.', HEALTH, 37.5, -0.02, 0.25, 5_670, 20, 0.065, 35],
  ['TMO', 'Thermo Fisher Scientific Inc.', HEALTH, 325.0, 0.1, 0.24, 382, 33, 0.003, 1.6],
  ['ABT', 'Abbott Laboratories', HEALTH, 86.9, 0.06, 0.2, 1_740, 17, 0.019, 5],
  ['XOM', 'Exxon Mobil Corporation', ENERGY, 70.9, 0.06, 0.3, 4_300, 14, 0.034, 15],
  ['CVX', 'Chevron Corporation', ENERGY, 121.43, 0.05, 0.3, 1_760, 15, 0.042, 8],
  ['PG', 'The Procter & Gamble Company', STAPLES, 125.58, 0.07, 0.16, 2_350, 26, 0.024, 7],
  ['KO', 'The Coca-Cola Company', STAPLES, 55.35, 0.05, 0.16, 4_310, 24, 0.029, 13],
  ['WMT', 'Walmart Inc.', STAPLES, 39.79, 0.18, 0.18, 8_030, 38, 0.009, 15],
  ['HD', 'The Home Depot, Inc.', DISC, 220.48, 0.1, 0.24, 990, 25, 0.024, 3.5],
  ['NKE', 'NIKE, Inc.', DISC, 101.85, -0.03, 0.3, 1_480, 28, 0.022, 10],
  ['MCD', "McDonald's Corporation", DISC, 200.79, 0.07, 0.18, 715, 25, 0.023, 3],
  ['ORCL', 'Oracle Corporation', IT, 53.95, 0.18, 0.3, 2_800, 35, 0.011, 8],
  ['CRM', 'Salesforce, Inc.', IT, 166.99, 0.08, 0.33, 960, 40, 0.006, 6],
  ['IBM', 'International Business Machines Corporation', IT, 120.0, 0.08, 0.22, 930, 35, 0.028, 4],
  ['DIS', 'The Walt Disney Company', COMM, 148.2, -0.02, 0.28, 1_810, 38, 0.008, 9],
  ['T', 'AT&T Inc.', COMM, 22.0, 0.02, 0.22, 7_170, 17, 0.04, 35],
  ['VZ', 'Verizon Communications Inc.', COMM, 61.3, -0.02, 0.17, 4_210, 10, 0.062, 18],
  ['BA', 'The Boeing Company', IND, 333.32, -0.1, 0.45, 760, null, 0, 8],
  ['CAT', 'Caterpillar Inc.', IND, 148.0, 0.22, 0.28, 470, 17, 0.015, 3],
  ['GE', 'GE Aerospace', IND, 60.0, 0.25, 0.32, 1_070, 35, 0.005, 6],
  ['UPS', 'United Parcel Service, Inc.', IND, 117.0, 0, 0.26, 850, 17, 0.065, 4],
  ['RTX', 'RTX Corporation', IND, 62.0, 0.1, 0.26, 1_330, 35, 0.02, 5],
  ['NEE', 'NextEra Energy, Inc.', UTIL, 60.5, 0.05, 0.22, 2_050, 22, 0.03, 10],
  ['PLD', 'Prologis, Inc.', REAL_ESTATE, 89.0, 0.06, 0.26, 925, 35, 0.035, 4],
  ['AMT', 'American Tower Corporation', REAL_ESTATE, 230.0, -0.01, 0.26, 467, 40, 0.03, 2],
];

const XETRA_STOCKS: Row[] = [
  ['SAP.DE', 'SAP SE', IT, 120.0, 0.12, 0.27, 1_170, 45, 0.009, 1.5],
  ['SIE.DE', 'Siemens AG', IND, 100.0, 0.12, 0.25, 790, 19, 0.024, 1.5],
  ['ALV.DE', 'Allianz SE', FIN, 218.0, 0.08, 0.22, 390, 13, 0.05, 0.8],
  ['DTE.DE', 'Deutsche Telekom AG', COMM, 14.6, 0.15, 0.18, 4_970, 14, 0.03, 9],
  ['BAS.DE', 'BASF SE', MAT, 67.0, -0.05, 0.26, 890, 25, 0.07, 3],
  ['BMW.DE', 'Bayerische Motoren Werke AG', DISC, 73.0, 0, 0.28, 620, 6, 0.07, 1.5],
  ['MBG.DE', 'Mercedes-Benz Group AG', DISC, 49.0, 0.04, 0.3, 960, 6, 0.085, 3],
  ['ADS.DE', 'adidas AG', DISC, 290.0, -0.04, 0.32, 178, 60, 0.004, 0.6],
  ['MUV2.DE', 'Münchener Rückversicherungs-Gesellschaft AG', FIN, 263.0, 0.14, 0.22, 132, 13, 0.035, 0.3],
  ['DBK.DE', 'Deutsche Bank AG', FIN, 6.9, 0.2, 0.38, 1_950, 8, 0.03, 9],
];

const AMSTERDAM_STOCKS: Row[] = [
  ['ASML.AS', 'ASML Holding N.V.', IT, 263.7, 0.25, 0.35, 393, 40, 0.008, 0.8],
  ['INGA.AS', 'ING Groep N.V.', FIN, 10.7, 0.12, 0.32, 3_200, 9, 0.065, 12],
  ['AD.AS', 'Koninklijke Ahold Delhaize N.V.', STAPLES, 22.3, 0.05, 0.17, 920, 12, 0.035, 3],
  ['HEIA.AS', 'Heineken N.V.', STAPLES, 94.9, -0.02, 0.2, 570, 18, 0.02, 0.8],
  ['PHIA.AS', 'Koninklijke Philips N.V.', HEALTH, 43.5, -0.12, 0.33, 920, null, 0.035, 3],
];

const PARIS_STOCKS: Row[] = [
  ['MC.PA', 'LVMH Moët Hennessy Louis Vuitton SE', DISC, 414.0, 0.1, 0.28, 500, 24, 0.02, 0.5],
  ['OR.PA', "L'Oréal S.A.", STAPLES, 264.0, 0.07, 0.22, 534, 33, 0.018, 0.4],
  ['RMS.PA', 'Hermès International SCA', DISC, 666.0, 0.2, 0.28, 105, 50, 0.008, 0.1],
  ['TTE.PA', 'TotalEnergies SE', ENERGY, 49.2, 0.05, 0.27, 2_300, 8, 0.055, 6],
  ['SAN.PA', 'Sanofi', HEALTH, 89.7, 0.03, 0.2, 1_250, 20, 0.042, 2],
  ['AIR.PA', 'Airbus SE', IND, 130.5, 0.06, 0.35, 790, 30, 0.013, 1.2],
  ['SU.PA', 'Schneider Electric SE', IND, 91.5, 0.18, 0.27, 570, 30, 0.015, 1],
  ['AI.PA', 'Air Liquide S.A.', MAT, 105.0, 0.1, 0.18, 575, 30, 0.018, 0.8],
  ['BNP.PA', 'BNP Paribas SA', FIN, 52.8, 0.07, 0.32, 1_130, 7, 0.07, 3],
];

const SWISS_STOCKS: Row[] = [
  ['NESN.SW', 'Nestlé S.A.', STAPLES, 104.8, -0.02, 0.16, 2_600, 20, 0.035, 4],
  ['NOVN.SW', 'Novartis AG', HEALTH, 77.0, 0.04, 0.18, 2_000, 18, 0.035, 4],
  ['ROG.SW', 'Roche Holding AG', HEALTH, 314.0, -0.02, 0.19, 790, 20, 0.038, 1.2],
  ['UBSG.SW', 'UBS Group AG', FIN, 12.2, 0.15, 0.32, 3_300, 20, 0.025, 8],
  ['ABBN.SW', 'ABB Ltd', IND, 23.4, 0.17, 0.26, 1_850, 25, 0.017, 3],
];

/** London prices in pounds (not pence), so the universe stays in ISO currencies. */
const LONDON_STOCKS: Row[] = [
  ['SHEL.L', 'Shell plc', ENERGY, 22.5, 0.05, 0.28, 6_300, 8, 0.04, 15],
  ['AZN.L', 'AstraZeneca PLC', HEALTH, 76.2, 0.08, 0.22, 1_550, 35, 0.02, 2],
  ['HSBA.L', 'HSBC Holdings plc', FIN, 5.92, 0.06, 0.26, 18_000, 8, 0.065, 25],
  ['ULVR.L', 'Unilever PLC', STAPLES, 43.6, 0.02, 0.17, 2_500, 20, 0.035, 3],
  ['BP.L', 'BP p.l.c.', ENERGY, 4.74, -0.02, 0.32, 16_000, 9, 0.055, 40],
  ['GSK.L', 'GSK plc', HEALTH, 14.0, 0.02, 0.2, 4_080, 12, 0.04, 8],
  ['RIO.L', 'Rio Tinto Group', MAT, 45.0, 0.06, 0.3, 1_250, 10, 0.065, 3],
  ['DGE.L', 'Diageo plc', STAPLES, 32.0, -0.04, 0.2, 2_220, 18, 0.035, 3],
];

const OTHER_EUROPEAN_STOCKS: Array<[exchange: string, currency: string, row: Row]> = [
  ['Nasdaq Copenhagen', 'DKK', ['NOVO-B.CO', 'Novo Nordisk A/S', HEALTH, 96.5, 0.25, 0.32, 4_450, 35, 0.015, 5]],
  ['BME', 'EUR', ['ITX.MC', 'Industria de Diseño Textil, S.A.', DISC, 31.5, 0.1, 0.25, 3_115, 25, 0.03, 4]],
  ['BME', 'EUR', ['SAN.MC', 'Banco Santander, S.A.', FIN, 3.73, 0.04, 0.35, 15_500, 7, 0.04, 30]],
  ['Borsa Italiana', 'EUR', ['ENEL.MI', 'Enel S.p.A.', UTIL, 7.07, 0.03, 0.22, 10_170, 12, 0.06, 25]],
];

const US_ETFS: Array<[exchange: string, row: Row]> = [
  ['NYSE Arca', ['SPY', 'SPDR S&P 500 ETF Trust', EQUITY, 321.86, 0.1, 0.18, 920, null, 0.013, 60]],
  ['NASDAQ', ['QQQ', 'Invesco QQQ Trust', EQUITY, 212.6, 0.15, 0.23, 650, null, 0.006, 40]],
  ['NYSE Arca', ['VTI', 'Vanguard Total Stock Market ETF', EQUITY, 164.0, 0.1, 0.19, 1_600, null, 0.013, 3.5]],
  ['NYSE Arca', ['VOO', 'Vanguard S&P 500 ETF', EQUITY, 296.0, 0.1, 0.18, 1_400, null, 0.013, 5]],
  ['NYSE Arca', ['IWM', 'iShares Russell 2000 ETF', EQUITY, 166.0, 0.05, 0.24, 340, null, 0.012, 30]],
  ['NYSE Arca', ['DIA', 'SPDR Dow Jones Industrial Average ETF Trust', EQUITY, 285.0, 0.08, 0.18, 60, null, 0.016, 3]],
  ['NYSE Arca', ['VT', 'Vanguard Total World Stock ETF', EQUITY, 81.5, 0.08, 0.18, 800, null, 0.018, 2.5]],
  ['NYSE Arca', ['EFA', 'iShares MSCI EAFE ETF', EQUITY, 69.9, 0.04, 0.17, 560, null, 0.028, 15]],
  ['NYSE Arca', ['VEA', 'Vanguard FTSE Developed Markets ETF', EQUITY, 44.4, 0.04, 0.17, 1_350, null, 0.03, 10]],
  ['NYSE Arca', ['VWO', 'Vanguard FTSE Emerging Markets ETF', EQUITY, 44.8, 0.02, 0.19, 1_800, null, 0.032, 9]],
  ['NYSE Arca', ['IEMG', 'iShares Core MSCI Emerging Markets ETF', EQUITY, 54.3, 0.02, 0.19, 1_550, null, 0.028, 9]],
  ['NYSE Arca', ['SCHD', 'Schwab U.S. Dividend Equity ETF', EQUITY, 19.0, 0.08, 0.16, 2_600, null, 0.036, 12]],
  ['NYSE Arca', ['VIG', 'Vanguard Dividend Appreciation ETF', EQUITY, 125.0, 0.09, 0.16, 470, null, 0.017, 1]],
  ['NYSE Arca', ['XLK', 'Technology Select Sector SPDR Fund', IT, 92.0, 0.17, 0.24, 300, null, 0.007, 6]],
  ['NYSE Arca', ['XLF', 'Financial Select Sector SPDR Fund', FIN, 30.8, 0.09, 0.24, 1_000, null, 0.015, 40]],
  ['NYSE Arca', ['XLE', 'Energy Select Sector SPDR Fund', ENERGY, 60.0, 0.05, 0.32, 430, null, 0.032, 15]],
  ['NYSE Arca', ['ARKK', 'ARK Innovation ETF', EQUITY, 50.0, 0, 0.5, 110, null, 0, 15]],
  ['NYSE Arca', ['VNQ', 'Vanguard Real Estate ETF', REAL_ESTATE, 93.6, 0.02, 0.23, 400, null, 0.038, 4]],
  ['NYSE Arca', ['GLD', 'SPDR Gold Shares', COMMODITIES, 143.0, 0.08, 0.15, 300, null, null, 8]],
  ['NYSE Arca', ['SLV', 'iShares Silver Trust', COMMODITIES, 16.7, 0.06, 0.28, 520, null, null, 25]],
];

const EUROPEAN_ETFS: Array<[exchange: string, currency: string, row: Row]> = [
  ['XETRA', 'EUR', ['VWCE.DE', 'Vanguard FTSE All-World UCITS ETF (USD) Accumulating', EQUITY, 80.0, 0.08, 0.16, 180, null, 0, 0.3]],
  ['XETRA', 'EUR', ['EUNL.DE', 'iShares Core MSCI World UCITS ETF USD (Acc)', EQUITY, 56.0, 0.09, 0.16, 850, null, 0, 0.8]],
  ['LSE', 'USD', ['CSPX.L', 'iShares Core S&P 500 UCITS ETF USD (Acc)', EQUITY, 290.0, 0.1, 0.18, 170, null, 0, 0.2]],
];

/** Exchange-traded bond funds: type BOND (not ETF) so allocation by asset type counts them as bonds. */
const BOND_ETFS: Array<[exchange: string, row: Row]> = [
  ['NYSE Arca', ['AGG', 'iShares Core U.S. Aggregate Bond ETF', FIXED_INCOME, 112.4, 0.005, 0.05, 1_200, null, 0.037, 8]],
  ['NASDAQ', ['BND', 'Vanguard Total Bond Market ETF', FIXED_INCOME, 83.9, 0.005, 0.05, 1_450, null, 0.037, 7]],
  ['NASDAQ', ['TLT', 'iShares 20+ Year Treasury Bond ETF', FIXED_INCOME, 135.5, -0.03, 0.15, 600, null, 0.042, 35]],
  ['NASDAQ', ['IEF', 'iShares 7-10 Year Treasury Bond ETF', FIXED_INCOME, 110.6, -0.005, 0.08, 330, null, 0.035, 8]],
  ['NASDAQ', ['SHY', 'iShares 1-3 Year Treasury Bond ETF', FIXED_INCOME, 84.6, 0.005, 0.02, 330, null, 0.04, 4]],
  ['NYSE Arca', ['LQD', 'iShares iBoxx $ Investment Grade Corporate Bond ETF', FIXED_INCOME, 127.5, 0, 0.09, 290, null, 0.045, 25]],
  ['NYSE Arca', ['HYG', 'iShares iBoxx $ High Yield Corporate Bond ETF', FIXED_INCOME, 117.4, 0.01, 0.08, 200, null, 0.058, 35]],
  ['NYSE Arca', ['TIP', 'iShares TIPS Bond ETF', FIXED_INCOME, 116.6, 0.005, 0.06, 160, null, 0.03, 3]],
  ['NASDAQ', ['BNDX', 'Vanguard Total International Bond ETF', FIXED_INCOME, 57.3, 0, 0.05, 1_100, null, 0.04, 4]],
];

/** Mutual funds: priced once a business day at NAV, not exchange-traded (no exchange, no volume). */
const BOND_MUTUAL_FUNDS: Row[] = [
  ['VBTLX', 'Vanguard Total Bond Market Index Fund Admiral Shares', FIXED_INCOME, 11.03, 0.005, 0.045, null, null, 0.037, null],
  ['PTTRX', 'PIMCO Total Return Fund Institutional Class', FIXED_INCOME, 10.33, 0.005, 0.05, null, null, 0.045, null],
  ['FXNAX', 'Fidelity U.S. Bond Index Fund', FIXED_INCOME, 12.0, 0.003, 0.045, null, null, 0.036, null],
  ['VBIRX', 'Vanguard Short-Term Bond Index Fund Admiral Shares', FIXED_INCOME, 10.55, 0.01, 0.02, null, null, 0.035, null],
  ['VWEHX', 'Vanguard High-Yield Corporate Fund Investor Shares', FIXED_INCOME, 5.95, 0.02, 0.07, null, null, 0.06, null],
];

const EQUITY_MUTUAL_FUNDS: Row[] = [
  ['VFIAX', 'Vanguard 500 Index Fund Admiral Shares', EQUITY, 298.6, 0.1, 0.18, null, null, 0.013, null],
  ['FXAIX', 'Fidelity 500 Index Fund', EQUITY, 113.3, 0.1, 0.18, null, null, 0.013, null],
  ['VTSAX', 'Vanguard Total Stock Market Index Fund Admiral Shares', EQUITY, 80.2, 0.1, 0.19, null, null, 0.013, null],
];

/** Crypto: shares = coins in circulation, volume in coins; no P/E, no dividends, no sector. */
const CRYPTO_PAIRS: Row[] = [
  ['BTC-USD', 'Bitcoin USD', null, 7_200, 0.45, 0.7, 19.8, null, null, 0.35],
  ['ETH-USD', 'Ethereum USD', null, 130, 0.55, 0.85, 120.5, null, null, 5],
  ['SOL-USD', 'Solana USD', null, 1.0, 0.8, 1.1, 470, null, null, 20],
  ['BNB-USD', 'BNB USD', null, 13.7, 0.6, 0.85, 145, null, null, 2],
  ['XRP-USD', 'XRP USD', null, 0.193, 0.25, 0.95, 57_000, null, null, 1_500],
  ['ADA-USD', 'Cardano USD', null, 0.033, 0.45, 1.0, 35_500, null, null, 700],
  ['DOGE-USD', 'Dogecoin USD', null, 0.002, 0.8, 1.2, 146_000, null, null, 6_000],
  ['AVAX-USD', 'Avalanche USD', null, 3.0, 0.5, 1.1, 410, null, null, 15],
  ['DOT-USD', 'Polkadot USD', null, 3.0, 0.3, 1.0, 1_500, null, null, 40],
  ['LINK-USD', 'Chainlink USD', null, 1.78, 0.45, 0.95, 630, null, null, 25],
  ['LTC-USD', 'Litecoin USD', null, 41.0, 0.1, 0.85, 75, null, null, 4],
  ['TRX-USD', 'TRON USD', null, 0.013, 0.45, 0.9, 86_000, null, null, 3_000],
  ['SHIB-USD', 'Shiba Inu USD', null, 0.000_001, 0.9, 1.4, 589_000_000, null, null, 10_000_000],
  ['USDT-USD', 'Tether USDt USD', null, 1.0, 0, 0.005, 140_000, null, null, 50_000],
];

export const UNIVERSE: readonly UniverseInstrument[] = Object.freeze([
  ...listing('STOCK', 'NASDAQ', 'USD', US_STOCK, NASDAQ_STOCKS),
  ...listing('STOCK', 'NYSE', 'USD', US_STOCK, NYSE_STOCKS),
  ...listing('STOCK', 'XETRA', 'EUR', EUROPEAN_STOCK, XETRA_STOCKS),
  ...listing('STOCK', 'Euronext Amsterdam', 'EUR', EUROPEAN_STOCK, AMSTERDAM_STOCKS),
  ...listing('STOCK', 'Euronext Paris', 'EUR', EUROPEAN_STOCK, PARIS_STOCKS),
  ...listing('STOCK', 'SIX Swiss Exchange', 'CHF', EUROPEAN_STOCK, SWISS_STOCKS),
  ...listing('STOCK', 'LSE', 'GBP', EUROPEAN_STOCK, LONDON_STOCKS),
  ...OTHER_EUROPEAN_STOCKS.flatMap(([exchange, currency, row]) => listing('STOCK', exchange, currency, EUROPEAN_STOCK, [row])),
  ...US_ETFS.flatMap(([exchange, row]) => listing('ETF', exchange, 'USD', US_BROAD_EQUITY, [row])),
  ...EUROPEAN_ETFS.flatMap(([exchange, currency, row]) => listing('ETF', exchange, currency, WORLD_EQUITY, [row])),
  ...BOND_ETFS.flatMap(([exchange, row]) => listing('BOND', exchange, 'USD', BOND_FUND, [row])),
  ...listing('BOND', null, 'USD', BOND_FUND, BOND_MUTUAL_FUNDS),
  ...listing('FUND', null, 'USD', US_BROAD_EQUITY, EQUITY_MUTUAL_FUNDS),
  ...listing('CRYPTO', null, 'USD', CRYPTO, CRYPTO_PAIRS),
]);

// An override for a symbol the universe does not hold is a typo that would silently do nothing.
for (const symbol of Object.keys(FACTOR_LOADING_OVERRIDES)) {
  if (!UNIVERSE.some((instrument) => instrument.symbol === symbol)) throw new Error(`factor loadings for unknown symbol ${symbol}`);
}

const BY_SYMBOL: ReadonlyMap<string, UniverseInstrument> = new Map(UNIVERSE.map((i) => [i.symbol, i]));

export function findInstrument(symbol: string): UniverseInstrument | undefined {
  return BY_SYMBOL.get(normalizeSymbol(symbol));
}

/** The symbol-master view of an instrument, without simulation parameters. */
export function toProviderSymbol(instrument: UniverseInstrument): ProviderSymbol {
  const { symbol, name, type, currency, exchange, sector } = instrument;
  return { symbol, name, type, currency, exchange, sector };
}
