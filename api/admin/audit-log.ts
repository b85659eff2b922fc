import type { Pool } from "mysql2/promise";
import { type Clock, systemClock } from "../../domain/clock";

export type AuditAction =
  | "campaign.create"
  | "campaign.resume"
  | "campaign.export"
  | "dlq.redrive"
  | "dlq.purge"
  /** A request refused with 403: who tried what, with which role. */
  | "access.denied";

export interface AuditEntry {
  actor: string;
  role: string;
  action: AuditAction;
  target: string | null;
  detail: unknown;
  remoteAddr: string | null;
}

/** Append-only record of every change, export and refused attempt made through the admin API or the CLI. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

export function createAuditLog(pool: Pool, clock: Clock = systemClock): AuditLog {
  return {
    async record(entry) {
      await pool.execute(
        `INSERT INTO audit_log (at, actor, role, action, target, detail, remote_addr)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          new Date(clock.now()),
          entry.actor,
          entry.role,
          entry.action,
          entry.target,
          entry.detail === undefined ? null : JSON.stringify(entry.detail),
          entry.remoteAddr,
        ],
      );
    },
  };
}
