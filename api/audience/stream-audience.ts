import type { Pool, RowDataPacket } from "mysql2/promise";
import { ValidationError } from "../../domain/errors";
import { type AudienceSource, compileAudience } from "./compile-audience";

export const DEFAULT_PAGE_SIZE = 5000;

/**
 * The IDs of an audience's users in ascending order, a page at a time (keyset pagination on
 * users.id, so a page costs the same at the end of a million users as at the start). The next
 * page is fetched while the caller works on the current one.
 */
export async function* streamAudienceIds(
  pool: Pool,
  audience: AudienceSource,
  pageSize = DEFAULT_PAGE_SIZE,
  /** Start after this user id (a resumed enqueue). */
  afterId = 0,
): AsyncGenerator<number[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new ValidationError("pageSize", pageSize, "expected >= 1");
  const { where, params } = compileAudience(audience);
  const sql = `SELECT id FROM users WHERE ${where} AND id > ? ORDER BY id LIMIT ?`;
  const fetchAfter = (afterId: number) => {
    const page = pool
      .execute<RowDataPacket[]>(sql, [...params, afterId, pageSize])
      .then(([rows]) => rows.map((row) => Number(row.id)));
    // The caller may stop iterating (or fail) before awaiting a prefetch: never leave it unhandled.
    page.catch(() => undefined);
    return page;
  };
  let next: Promise<number[]> | null = fetchAfter(afterId);
  while (next) {
    const page: number[] = await next;
    const last = page.at(-1);
    next = page.length === pageSize && last !== undefined ? fetchAfter(last) : null;
    if (page.length > 0) yield page;
  }
}

/**
 * How many users the audience matches now: a COUNT(*) with the WHERE clause streamAudienceIds
 * reads; with `throughId`, only those up to that user id (what a resumed enqueue already sent).
 */
export async function countAudience(
  pool: Pool,
  audience: AudienceSource,
  throughId?: number,
): Promise<number> {
  const { where, params } = compileAudience(audience);
  const upTo = throughId === undefined ? "" : " AND id <= ?";
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM users WHERE ${where}${upTo}`,
    throughId === undefined ? params : [...params, throughId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** An in-memory ID list in the same page shape as streamAudienceIds. */
export async function* pagesOf(
  ids: readonly number[],
  pageSize = DEFAULT_PAGE_SIZE,
): AsyncGenerator<number[]> {
  for (let i = 0; i < ids.length; i += pageSize) yield ids.slice(i, i + pageSize);
}
