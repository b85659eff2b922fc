import { ValidationError } from "../../domain/errors";

/** Hand-written range checks: these guard hot paths (every receive), where zod would cost too much. */
export function requireInt(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function requireTime(field: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new ValidationError(field, value, `must be a finite number >= ${min}`);
  }
  return value;
}
