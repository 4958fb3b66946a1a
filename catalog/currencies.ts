// ISO 4217 active currency codes and their minor-unit digits (the "E" column of the ISO list).
// Embedded rather than taken from Intl.NumberFormat: ICU's currency data follows CLDR, which
// rounds some currencies for *display* differently from ISO (e.g. CLDR gives ISK 0 and HUF 2,
// but also TWD/UGX/IDR/etc. differ between versions), and invoices must carry exactly ISO's
// digits whatever ICU build Node ships with. Fund and precious-metal codes without a minor
// unit (XAU, XDR, XTS, XXX …) are not currencies one can invoice in and are left out.
const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR = 'CLF UYW';
const TWO =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN ' +
  'BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP ' +
  'GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP ' +
  'LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR ' +
  'NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN ' +
  'SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ' +
  'ZMW ZWG';

const TABLE: ReadonlyMap<string, number> = new Map([
  ...ZERO.split(' ').map((c) => [c, 0] as const),
  ...TWO.split(' ').map((c) => [c, 2] as const),
  ...THREE.split(' ').map((c) => [c, 3] as const),
  ...FOUR.split(' ').map((c) => [c, 4] as const),
]);

/** Minor-unit digits of an active ISO 4217 code, or undefined when the code is not one. */
export const minorDigitsOf = (code: string): number | undefined => TABLE.get(code);

export const isCurrency = (code: string): boolean => TABLE.has(code);
