import type { KOREAN_REGIONS, UserTier } from "../../domain/db-schema";
import { createRandom, type Random } from "../../provider-mock/random";

export type KoreanRegion = (typeof KOREAN_REGIONS)[number];

/** One row of the users table, as the seed writes it. */
export interface SyntheticUser {
  id: number;
  name: string;
  /** Normalised ("01012345678") for valid numbers; invalid ones as a messy source would hold them. */
  phone: string;
  marketingOptIn: boolean;
  tier: UserTier;
  region: KoreanRegion;
  /** YYYY-MM-DD */
  signupDate: string;
  /** YYYY-MM-DD HH:MM:SS (UTC), or null for users who never ordered. */
  lastOrderAt: string | null;
}

export interface SyntheticUserOptions {
  /** Share of users whose phone number is not a Korean mobile (domain/phone.ts decides), 0..1. */
  invalidRate?: number;
}

/**
 * The users with ids 1..count for `seed`, drawn from one stream in id order: users 1..k are the
 * same whatever the count, so `--user-ids 1-5000` names the same people in every run.
 */
export function* syntheticUsers(
  seed: number,
  count: number,
  options: SyntheticUserOptions = {},
): Generator<SyntheticUser> {
  const random = createRandom(seed);
  for (let id = 1; id <= count; id++) yield syntheticUser(id, random, options);
}

export function syntheticUser(id: number, random: Random, options: SyntheticUserOptions = {}): SyntheticUser {
  const invalid = random.next() < (options.invalidRate ?? 0);
  const signupDay = random.int(0, LAST_SIGNUP_DAY);
  const ordered = random.next() < 0.8;
  const orderDay = random.int(signupDay, LAST_ORDER_DAY);
  const orderSecond = random.int(0, 86_399);
  return {
    id,
    name: koreanName(random),
    phone: invalid ? invalidPhone(random) : mobileNumber(id),
    marketingOptIn: random.next() < 0.6,
    tier: weighted(random, TIERS),
    region: weighted(random, REGIONS),
    signupDate: DATES[signupDay] as string,
    lastOrderAt: ordered ? `${DATES[orderDay]} ${timeOfDay(orderSecond)}` : null,
  };
}

const DAY_MS = 86_400_000;
const FIRST_DAY_MS = Date.UTC(2015, 0, 1);
/** Days after FIRST_DAY: fixed ends, not "now", so a seed gives the same users on any day. */
const LAST_SIGNUP_DAY = (Date.UTC(2026, 9, 1) - FIRST_DAY_MS) / DAY_MS;
const LAST_ORDER_DAY = (Date.UTC(2026, 10, 1) - FIRST_DAY_MS) / DAY_MS;
/** "YYYY-MM-DD" by day: formatting dates is otherwise the hot path of a million-user seed. */
const DATES = Array.from({ length: LAST_ORDER_DAY + 1 }, (_, day) =>
  new Date(FIRST_DAY_MS + day * DAY_MS).toISOString().slice(0, 10),
);

function timeOfDay(second: number): string {
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  return `${two(Math.floor(second / 3600))}:${two(Math.floor(second / 60) % 60)}:${two(second % 60)}`;
}

/**
 * 010 + 8 digits from a bijection of the id (an affine map mod 10^8 with a multiplier coprime to
 * 10), so valid numbers never repeat among the first 10^8 users, whatever the seed.
 */
function mobileNumber(id: number): string {
  // 73,041,597 (odd, not a multiple of 5) split in two so every product stays an exact double.
  const high = ((7_304 * id) % 10_000) * 10_000;
  const number = (high + 1_597 * id + 20_240_101) % 100_000_000;
  return `010${String(number).padStart(8, "0")}`;
}

/** Numbers a real contact list holds that are not Korean mobiles. */
const INVALID_KINDS: ((random: Random) => string)[] = [
  (r) => `02${digits(r, 8)}`, // Seoul landline
  (r) => `0${r.int(31, 64)}${digits(r, 7)}`, // regional landline
  (r) => `010${digits(r, 7)}`, // one digit short
  (r) => `010${digits(r, 9)}`, // one digit long
  (r) => `+1${digits(r, 10)}`, // foreign
  (r) => pick(r, ["n/a", "-", "없음", "unknown"]),
];

function invalidPhone(random: Random): string {
  return pick(random, INVALID_KINDS)(random);
}

function digits(random: Random, length: number): string {
  return String(random.int(0, 10 ** length - 1)).padStart(length, "0");
}

const SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"];
const SYLLABLES = [
  "민",
  "서",
  "지",
  "현",
  "준",
  "우",
  "예",
  "윤",
  "도",
  "하",
  "수",
  "연",
  "은",
  "영",
  "재",
  "진",
];

function koreanName(random: Random): string {
  return pick(random, SURNAMES) + pick(random, SYLLABLES) + pick(random, SYLLABLES);
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[random.int(0, list.length - 1)] as T;
}

/** [value, cumulative share] tables: a draw is one uniform and a short scan. */
function cumulative<T>(weights: readonly [T, number][]): [T, number][] {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let running = 0;
  return weights.map(([value, w]) => {
    running += w;
    return [value, running / total];
  });
}

const TIERS = cumulative<UserTier>([
  ["basic", 0.6],
  ["silver", 0.25],
  ["gold", 0.1],
  ["vip", 0.05],
]);

const REGIONS = cumulative<KoreanRegion>([
  ["gyeonggi", 0.27],
  ["seoul", 0.19],
  ["busan", 0.07],
  ["incheon", 0.06],
  ["daegu", 0.05],
  ["gwangju", 0.03],
  ["daejeon", 0.03],
  ["ulsan", 0.02],
  ["gangwon", 0.03],
  ["jeju", 0.01],
]);

function weighted<T>(random: Random, table: readonly [T, number][]): T {
  const roll = random.next();
  for (const [value, upTo] of table) if (roll < upTo) return value;
  return (table[table.length - 1] as [T, number])[0];
}
