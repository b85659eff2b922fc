import type { Pool, RowDataPacket } from "mysql2/promise";
import { compileAudience } from "../audience/compile-audience";
import { maskPhone } from "./mask-phone";

export interface AudienceSampleRow {
  id: number;
  name: string;
  phone: string;
  tier: string;
  region: string;
}

export interface AudiencePreview {
  /** Validates the audience (errors name the field) and counts the users it matches. */
  count(audience: unknown): Promise<number>;
  /** The count and the first `sampleSize` users by ID, phones masked. */
  preview(audience: unknown, sampleSize: number): Promise<{ count: number; sample: AudienceSampleRow[] }>;
}

export function createAudiencePreview(pool: Pool): AudiencePreview {
  async function count(audience: unknown): Promise<number> {
    // The WHERE clause comes from the allow-list compiler; every value travels as a `?` parameter.
    const { where, params } = compileAudience(audience);
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM users WHERE ${where}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  return {
    count,
    async preview(audience, sampleSize) {
      const { where, params } = compileAudience(audience);
      const [total, [rows]] = await Promise.all([
        count(audience),
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
