/**
 * Korean mobile numbers: 010 with 8 more digits, or the legacy 011/016/017/018/019 prefixes with
 * 7 or 8 more. Accepts dashes, spaces and the +82 country code; normalises to "01012345678".
 */
const MOBILE = /^01(?:0\d{8}|[16789]\d{7,8})$/;

export function normalizeKoreanMobile(input: string): string | null {
  let digits = input.replace(/[\s-]/g, "");
  if (digits.startsWith("+82")) digits = `0${digits.slice(3)}`;
  return MOBILE.test(digits) ? digits : null;
}

export function isKoreanMobile(input: string): boolean {
  return normalizeKoreanMobile(input) !== null;
}
