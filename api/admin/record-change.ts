import type { FastifyRequest } from "fastify";
import { principalOf } from "./access-control";
import type { AuditAction, AuditLog } from "./audit-log";

export interface Change {
  action: AuditAction;
  target: string | null;
  detail: unknown;
}

/** Writes a change made through the API to the audit log, as the request's principal. */
export type RecordChange = (request: FastifyRequest, change: Change) => Promise<void>;

export function createRecordChange(audit: AuditLog): RecordChange {
  return async (request, change) => {
    const principal = principalOf(request);
    await audit.record({ ...change, actor: principal.name, role: principal.role, remoteAddr: request.ip });
  };
}
