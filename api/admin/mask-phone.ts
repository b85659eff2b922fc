import { normalizeKoreanMobile } from "../../domain/phone";

/**
 * Hides the middle of a phone number for display: "01012345678" -> "010-****-5678". Anything
 * with fewer than 8 digits is masked whole, so a short value never leaks.
 */
export function maskPhone(phone: string): string {
  const digits = (normalizeKoreanMobile(phone) ?? phone).replace(/\D/g, "");
  if (digits.length < 8) return "*".repeat(Math.max(4, digits.length));
  return `${digits.slice(0, 3)}-****-${digits.slice(-4)}`;
}
