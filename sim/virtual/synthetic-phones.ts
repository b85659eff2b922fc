import { hashToUnit } from "../../provider-mock/random";

/**
 * A virtual user's phone number without a users table: ids 1..count exist, a seeded `invalidRate`
 * share of them hold a number that is not a Korean mobile (a Seoul landline), the rest a unique
 * 010 number. Per-id hashing keeps it O(1) and independent of the order users are asked for.
 */
export function syntheticPhone(
  userId: number,
  seed: number,
  users: { count: number; invalidRate: number },
): string | null {
  if (userId < 1 || userId > users.count) return null;
  if (users.invalidRate > 0 && hashToUnit(`user-${userId}`, seed) < users.invalidRate) {
    return `02${String(userId % 100_000_000).padStart(8, "0")}`;
  }
  return `010${String((userId * 7_919 + 20_240_101) % 100_000_000).padStart(8, "0")}`;
}
