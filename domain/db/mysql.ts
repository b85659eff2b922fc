import mysql, { type Pool, type PoolOptions } from "mysql2/promise";
import { ValidationError } from "../errors";

export const DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306/smsim";

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Splits a mysql://user:password@host:port/database URL; the database is required. */
export function parseMysqlUrl(url: string): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError("MYSQL_URL", url, "not a URL");
  }
  if (parsed.protocol !== "mysql:") throw new ValidationError("MYSQL_URL", url, "expected mysql://");
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new ValidationError("MYSQL_URL", url, "needs a database name of letters, digits and _");
  }
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || "root",
    password: decodeURIComponent(parsed.password),
    database,
  };
}

export function createMysqlPool(url: string, options: Partial<PoolOptions> = {}): Pool {
  const target = parseMysqlUrl(url);
  return mysql.createPool({
    ...target,
    connectionLimit: 10,
    // BIGINT ids stay JS numbers: ids here stay far below 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    timezone: "Z",
    ...options,
  });
}

/** Creates the URL's database if it does not exist yet (connects without selecting it). */
export async function ensureDatabase(url: string): Promise<void> {
  const { database, ...server } = parseMysqlUrl(url);
  const connection = await mysql.createConnection(server);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { database, ...server } = parseMysqlUrl(url);
  const connection = await mysql.createConnection(server);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}
