/**
 * The MySQL/MariaDB schema, as ordered migrations. `smsim db migrate` applies the ones a database
 * lacks and records them in schema_migrations; a migration never changes once released.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const LOG_STATUSES = [
  "QUEUEING", // the producer is still enqueueing chunks
  "QUEUED", // every chunk is on the queue
  "SENDING", // the consumer has recorded at least one result
  "COMPLETED", // every recipient SENT
  "PARTIAL", // every recipient has a final result, some FAILED
  "FAILED", // every recipient FAILED
  "ENQUEUE_FAILED", // some chunks could not be enqueued after retries; counted in enqueue_failed_count
] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export const RESULT_STATUSES = ["SENT", "FAILED"] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const USER_TIERS = ["basic", "silver", "gold", "vip"] as const;
export type UserTier = (typeof USER_TIERS)[number];

export const KOREAN_REGIONS = [
  "seoul",
  "busan",
  "incheon",
  "daegu",
  "daejeon",
  "gwangju",
  "ulsan",
  "gyeonggi",
  "gangwon",
  "jeju",
] as const;

const enumSql = (values: readonly string[]) => values.map((v) => `'${v}'`).join(",");

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "users, messaging_log, messaging_result",
    statements: [
      `CREATE TABLE users (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(64) NOT NULL,
        phone VARCHAR(32) NOT NULL,
        marketing_opt_in TINYINT(1) NOT NULL DEFAULT 0,
        tier ENUM(${enumSql(USER_TIERS)}) NOT NULL DEFAULT 'basic',
        region VARCHAR(32) NOT NULL,
        signup_date DATE NOT NULL,
        last_order_at DATETIME NULL,
        KEY users_tier (tier),
        KEY users_region (region)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE messaging_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(200) NULL,
        requested_by VARCHAR(128) NOT NULL,
        requested_at DATETIME(3) NOT NULL,
        audience JSON NULL,
        content TEXT NOT NULL,
        template_id VARCHAR(64) NULL,
        total_count INT UNSIGNED NOT NULL DEFAULT 0,
        queued_count INT UNSIGNED NOT NULL DEFAULT 0,
        enqueue_failed_count INT UNSIGNED NOT NULL DEFAULT 0,
        sent_count INT UNSIGNED NOT NULL DEFAULT 0,
        failed_count INT UNSIGNED NOT NULL DEFAULT 0,
        status ENUM(${enumSql(LOG_STATUSES)}) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        completed_at DATETIME(3) NULL,
        KEY messaging_log_requested_at (requested_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE messaging_result (
        log_id BIGINT UNSIGNED NOT NULL,
        user_id BIGINT UNSIGNED NOT NULL,
        phone VARCHAR(32) NOT NULL,
        status ENUM(${enumSql(RESULT_STATUSES)}) NOT NULL,
        carrier_message_id VARCHAR(64) NULL,
        error_code VARCHAR(64) NULL,
        attempts INT UNSIGNED NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (log_id, user_id),
        KEY messaging_result_status (log_id, status)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE malformed_message (
        message_id VARCHAR(128) NOT NULL PRIMARY KEY,
        body MEDIUMTEXT NOT NULL,
        error TEXT NOT NULL,
        receive_count INT UNSIGNED NOT NULL,
        first_seen_at DATETIME(3) NOT NULL,
        last_seen_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
  {
    version: 2,
    name: "audit_log",
    statements: [
      `CREATE TABLE audit_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        at DATETIME(3) NOT NULL,
        actor VARCHAR(128) NOT NULL,
        role VARCHAR(32) NOT NULL,
        action VARCHAR(64) NOT NULL,
        target VARCHAR(200) NULL,
        detail JSON NULL,
        remote_addr VARCHAR(64) NULL,
        KEY audit_log_at (at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
  {
    version: 3,
    name: "delivery_attempt, messaging_result.error_detail, enqueue checkpoint",
    statements: [
      // One row per delivery that did not complete; rows outlive the message (DLQ, purge, redrive).
      `CREATE TABLE delivery_attempt (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        log_id BIGINT UNSIGNED NULL,
        chunk_id INT UNSIGNED NULL,
        message_id VARCHAR(128) NOT NULL,
        receive_count INT UNSIGNED NOT NULL,
        code VARCHAR(64) NOT NULL,
        detail VARCHAR(500) NOT NULL,
        at DATETIME(3) NOT NULL,
        KEY delivery_attempt_chunk (log_id, chunk_id),
        KEY delivery_attempt_message (message_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      "ALTER TABLE messaging_result ADD COLUMN error_detail VARCHAR(500) NULL AFTER error_code",
      // Where a producer that stops mid-enqueue can resume: every chunk below enqueued_chunks and
      // every user up to enqueued_through_user is on the queue (or counted failed).
      `ALTER TABLE messaging_log
        ADD COLUMN enqueued_chunks INT UNSIGNED NOT NULL DEFAULT 0 AFTER enqueue_failed_count,
        ADD COLUMN enqueued_through_user BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER enqueued_chunks,
        ADD COLUMN enqueue_heartbeat_at DATETIME(3) NULL AFTER enqueued_through_user`,
    ],
  },
];
