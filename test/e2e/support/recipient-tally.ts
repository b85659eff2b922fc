import type { Pool, RowDataPacket } from "mysql2/promise";
import { parseMessageBody } from "../../../domain/message-body";
import { isKoreanMobile } from "../../../domain/phone";
import type { DlqMessage, ResultRow } from "./pipeline-stack";

export interface RecipientTally {
  /** Expected recipients with no result and in no DLQ message. */
  missing: number[];
  /** Recipients counted more than once across results and DLQ messages. */
  duplicated: number[];
  /** Results or DLQ recipients the campaign never had. */
  unexpected: number[];
  /** Recipients inside DLQ messages of the campaign. */
  inDlq: Set<number>;
  /** DLQ messages whose body is not a valid v1 body. */
  unreadable: DlqMessage[];
}

/**
 * Where each recipient of campaign `logId` ended: a result row (SENT or FAILED) or a DLQ message.
 * Each must end in exactly one place; a DLQ message of another campaign counts as unreadable.
 */
export function tallyRecipients(
  logId: number,
  expected: readonly number[],
  results: readonly ResultRow[],
  dlq: readonly DlqMessage[],
): RecipientTally {
  const seen = new Map<number, number>();
  const count = (userId: number) => seen.set(userId, (seen.get(userId) ?? 0) + 1);
  for (const row of results) count(row.userId);
  const inDlq = new Set<number>();
  const unreadable: DlqMessage[] = [];
  for (const message of dlq) {
    let userIds: number[];
    try {
      const body = parseMessageBody(message.body);
      if (body.logId !== logId) throw new Error(`logId ${body.logId}`);
      userIds = body.userIds;
    } catch {
      unreadable.push(message);
      continue;
    }
    for (const userId of userIds) {
      count(userId);
      inDlq.add(userId);
    }
  }
  const wanted = new Set(expected);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...seen.keys()].filter((id) => !wanted.has(id)),
    inDlq,
    unreadable,
  };
}

/** Users whose phone numbers domain/phone.ts rejects. */
export async function invalidNumberUsers(pool: Pool): Promise<Set<number>> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT id, phone FROM users");
  return new Set(rows.filter((r) => !isKoreanMobile(String(r.phone))).map((r) => Number(r.id)));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The drain's own receive is one of the DLQ message's receives: the rest happened on the source queue. */
export function sourceQueueReceives(message: DlqMessage): number {
  return Number(message.approximateReceiveCount) - 1;
}
