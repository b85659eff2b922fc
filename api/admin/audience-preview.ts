import type { Pool, RowDataPacket } from "mysql2/promise";
import { compileAudience, parseAudience } from "../audience/compile-audience";
import { countAudience } from "../audience/stream-audience";
import { maskPhone } from "./mask-phone";

export interface AudienceSampleRow {
  id: number;
  name: string;
  phone: string;
  tier: string;
  region: string;
}

export interface AudiencePreview {
  /**
   * Validates the audience (errors name the field), counts the users it matches and lists the
   * first `sampleSize` by ID, phones masked.
   */
  preview(audience: unknown, sampleSize: number): Promise<{ count: number; sample: AudienceSampleRow[] }>;
}

export function createAudiencePreview(pool: Pool): AudiencePreview {
  return {
    async preview(input, sampleSize) {
      const audience = parseAudience(input);
      // The WHERE clause comes from the allow-list compiler; every value travels as a `?` parameter.
      const { where, params } = compileAudience(audience);
      const [total, [rows]] = await Promise.all([
        countAudience(pool, audience),
        pool.execute<RowDataPacket[]>(
          `SELECT id, name, phone, tier, region FROM users WHERE ${where} ORDER BY id LIMIT ?`,
          [...params, String(sampleSize)],
        ),
      ]);
      return {
        count: total,
        sample: rows.map((r) => ({
          id: Number(r.id),
          name: String(r.name),
          phone: maskPhone(String(r.phone)),
          tier: String(r.tier),
          region: String(r.region),
        })),
      };
    },
  };
}
