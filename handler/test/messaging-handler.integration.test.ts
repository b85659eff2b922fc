import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../domain/clock";
import { createJsonLogger } from "../../domain/logger";
import { messageBody, sqsEvent, sqsRecord } from "../../test/support/sqs-event";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import { type BulkSendRequest, type BulkSendResponse, idempotencyKey } from "../carrier/carrier-api";
import { createHttpCarrierClient, type HttpCarrierClient } from "../carrier/http-carrier-client";
import { createMessagingHandler, type MessagingHandler } from "../create-messaging-handler";
import { createMysqlDeliveryStore } from "../mysql-delivery-store";
import { recordingVisibility } from "./fakes";

/**
 * A carrier on loopback that remembers each Idempotency-Key's answer, like a real one, and can
 * drop the connection after accepting a request: the response is lost, the messages are not.
 */
async function idempotentCarrier() {
  const answers = new Map<string, BulkSendResponse>();
  const deliveries = new Map<string, number>();
  const loseResponseOnce = new Set<string>();
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const key = String(req.headers["idempotency-key"]);
      let answer = answers.get(key);
      if (answer === undefined) {
        const request = JSON.parse(text) as BulkSendRequest;
        for (const r of request.recipients) deliveries.set(r.ref, (deliveries.get(r.ref) ?? 0) + 1);
        answer = {
          requestId: `req-${answers.size}`,
          results: request.recipients.map((r) => ({
            ...r,
            status: "ACCEPTED",
            carrierMessageId: `cm-${r.ref}`,
          })),
        };
        answers.set(key, answer);
      }
      if (loseResponseOnce.delete(key)) {
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    loseResponseOnce,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("messaging handler on MariaDB and an HTTP carrier", () => {
  let db: TestDatabase;
  let carrierServer: Awaited<ReturnType<typeof idempotentCarrier>>;
  let carrier: HttpCarrierClient;
  let handler: MessagingHandler;

  beforeAll(async () => {
    db = await createTestDatabase("messaging_handler");
    carrierServer = await idempotentCarrier();
    carrier = createHttpCarrierClient({ baseUrl: carrierServer.url, timeoutMs: 2_000 });
    handler = createMessagingHandler({
      carrier,
      store: createMysqlDeliveryStore(db.pool),
      visibility: recordingVisibility(),
      clock: systemClock,
      logger: createJsonLogger({ level: "silent" }),
    });
    const users = Array.from({ length: 11 }, (_, i) => {
      const phone = i === 10 ? "031-123-4567" : `010-2222-${String(i + 1).padStart(4, "0")}`;
      return [i + 1, `user ${i + 1}`, phone, "seoul", "2024-01-01"];
    });
    await db.pool.query("INSERT INTO users (id, name, phone, region, signup_date) VALUES ?", [users]);
  });
  afterAll(async () => {
    await carrier?.close();
    await carrierServer?.close();
    await db?.drop();
  });

  it("finishes a campaign exactly once across a lost carrier response and the redelivery", async () => {
    // Prepare: 12 recipients in two chunks; user 11 has a landline, user 12 does not exist.
    await db.pool.query(
      `INSERT INTO messaging_log (id, requested_by, requested_at, content, total_count, queued_count, status, updated_at)
       VALUES (1, 'ops@example.com', NOW(3), 'hello', 12, 12, 'QUEUED', NOW(3))`,
    );
    const first = sqsRecord({ body: messageBody({ chunkId: 0, userIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }) });
    const second = sqsRecord({ body: messageBody({ chunkId: 1, userIds: [11, 12] }) });
    carrierServer.loseResponseOnce.add(idempotencyKey(1, 0));
    // Act
    const firstResponse = await handler(sqsEvent(first, second));
    const redelivered = sqsRecord({ messageId: first.messageId, body: first.body, receiveCount: 2 });
    const secondResponse = await handler(sqsEvent(redelivered));
    // Assess
    expect(firstResponse.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    expect(secondResponse.batchItemFailures).toEqual([]);
    expect([...carrierServer.deliveries.values()]).toEqual(Array(10).fill(1));
    const [logs] = await db.pool.query<RowDataPacket[]>(
      "SELECT status, sent_count, failed_count FROM messaging_log WHERE id = 1",
    );
    expect(logs[0]).toEqual({ status: "PARTIAL", sent_count: 10, failed_count: 2 });
    const [failures] = await db.pool.query<RowDataPacket[]>(
      "SELECT user_id, error_code FROM messaging_result WHERE log_id = 1 AND status = 'FAILED' ORDER BY user_id",
    );
    expect(failures).toEqual([
      { user_id: 11, error_code: "INVALID_NUMBER" },
      { user_id: 12, error_code: "UNKNOWN_USER" },
    ]);
  });
});
