import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../../domain/errors";

/** Viewers read; operators also change (send campaigns, redrive, purge). */
export const ADMIN_ROLES = ["viewer", "operator"] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminToken {
  token: string;
  name: string;
  role: AdminRole;
}

/** Who made a request: the name and role of the token it carried. */
export interface Principal {
  name: string;
  role: AdminRole;
}

const MIN_TOKEN_LENGTH = 16;
const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Parses ADMIN_TOKENS, `name:role:token,...`; the token is everything after the second colon. */
export function parseAdminTokens(spec: string, field = "ADMIN_TOKENS"): AdminToken[] {
  const entries = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ValidationError(field, spec, "expected name:role:token[,...]");
  const names = new Set<string>();
  const secrets = new Set<string>();
  return entries.map((entry, i) => {
    const [name = "", role = "", ...rest] = entry.split(":");
    const token = rest.join(":");
    const where = `${field}[${i}]`;
    if (!NAME.test(name))
      throw new ValidationError(`${where}.name`, name, "expected 1-64 of A-Z a-z 0-9 _ . @ -");
    if (!isRole(role))
      throw new ValidationError(`${where}.role`, role, `expected ${ADMIN_ROLES.join(" or ")}`);
    // The value itself is a secret: name only its length in the error.
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ValidationError(
        `${where}.token`,
        `<${token.length} chars>`,
        `needs ${MIN_TOKEN_LENGTH}+ chars`,
      );
    }
    if (names.has(name)) throw new ValidationError(`${where}.name`, name, "duplicate name");
    if (secrets.has(token))
      throw new ValidationError(`${where}.token`, "<redacted>", "same token as an earlier entry");
    names.add(name);
    secrets.add(token);
    return { name, role, token };
  });
}

export function isRole(value: string): value is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: AdminRole, needed: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(needed);
}

/** A fresh random token, URL-safe, for `smsim console` when ADMIN_TOKENS is unset. */
export function generateToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Compares two secrets in time that does not depend on where they differ or on their lengths:
 * both are hashed to equal-length SHA-256 digests first, which timingSafeEqual requires.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export interface Authenticator {
  /** The principal of an `Authorization: Bearer <token>` header, or null for none or an unknown token. */
  authenticate(authorization: string | undefined): Principal | null;
}

export function createAuthenticator(tokens: readonly AdminToken[]): Authenticator {
  const known = tokens.map((t) => ({ digest: sha256(t.token), principal: { name: t.name, role: t.role } }));
  return {
    authenticate(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
      if (!match?.[1]) return null;
      const digest = sha256(match[1]);
      let found: Principal | null = null;
      // Every token is compared, so the time taken does not reveal which one matched.
      for (const entry of known) if (timingSafeEqual(digest, entry.digest)) found = entry.principal;
      return found;
    },
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
