import { describe, expect, it } from "vitest";
import type { AttemptRecord } from "../attempt-history";
import { createDlqIndex } from "../dlq-index";
import type { DlqDepth, DlqMessage } from "../dlq-service";

/** A DLQ message as DlqService.readAll describes it. */
function dlqMessage(overrides: Partial<DlqMessage> = {}): DlqMessage {
  return {
    messageId: `m-${overrides.logId ?? 1}-${overrides.chunkId ?? 0}`,
    receiveCount: 4,
    sentAt: "2026-03-01T08:59:00.000Z",
    logId: 1,
    chunkId: 0,
    userIds: [1, 2, 3],
    parseError: null,
    body: "{}",
    failures: [],
    ...overrides,
  };
}

const failure = (receiveCount: number, code: string, at: string): AttemptRecord => ({
  receiveCount,
  code,
  detail: `${code} detail`,
  at,
});

/** The index over an in-memory DLQ that counts its reads, on a clock the test moves. */
function indexOver(messages: DlqMessage[]) {
  let now = Date.UTC(2026, 2, 1, 9, 0, 0);
  const reads = { depth: 0, messages: 0 };
  const queue = { messages };
  const index = createDlqIndex({
    dlq: {
      depth: async (): Promise<DlqDepth> => {
        reads.depth++;
        return { visible: queue.messages.length, inFlight: 0, delayed: 0 };
      },
      readAll: async () => {
        reads.messages++;
        return { messages: [...queue.messages], complete: true };
      },
      sourceVisibilityTimeoutMs: async () => 120_000,
    },
    clock: { now: () => now, sleep: async () => {} },
  });
  return { index, reads, queue, advance: (ms: number) => (now += ms) };
}

describe("createDlqIndex", () => {
  it("says why each message failed, from its attempt rows, in campaign then chunk order", async () => {
    // Prepare
    const { index } = indexOver([
      dlqMessage({ logId: 1, chunkId: 3 }),
      dlqMessage({
        logId: 2,
        chunkId: 1,
        failures: [
          failure(1, "CARRIER_TIMEOUT", "2026-03-01T08:50:00.000Z"),
          failure(2, "CARRIER_HTTP_503", "2026-03-01T08:52:00.000Z"),
          failure(3, "CARRIER_HTTP_503", "2026-03-01T08:54:00.000Z"),
        ],
      }),
      dlqMessage({ logId: 1, chunkId: 0 }),
    ]);
    // Act
    const { entries } = await index.snapshot();
    // Assess
    expect(entries.map((e) => [e.logId, e.chunkId])).toEqual([
      [2, 1],
      [1, 0],
      [1, 3],
    ]);
    expect(entries[0]).toMatchObject({
      errorCode: "CARRIER_HTTP_503",
      errorDetail: "CARRIER_HTTP_503 detail",
      receiveCountAtMove: 3,
      // The last failure (08:54) plus the source queue's 120 s visibility timeout.
      movedAt: "2026-03-01T08:56:00.000Z",
    });
    expect(entries[1]).toMatchObject({ errorCode: null, receiveCountAtMove: null, movedAt: null });
  });

  it("reuses a depth reading for a second and reads the messages again only when the depth changes", async () => {
    // Prepare
    const { index, reads, queue, advance } = indexOver([dlqMessage()]);
    await index.snapshot();
    // Act
    for (let i = 0; i < 10; i++) await index.snapshot();
    const withinASecond = { ...reads };
    advance(1500);
    await index.snapshot();
    const sameDepth = { ...reads };
    queue.messages = [dlqMessage(), dlqMessage({ chunkId: 1 })];
    advance(1500);
    const early = await index.snapshot();
    advance(5000);
    const changed = await index.snapshot();
    // Assess
    expect(withinASecond).toEqual({ depth: 1, messages: 1 });
    expect(sameDepth).toEqual({ depth: 2, messages: 1 });
    expect(early.entries).toHaveLength(1);
    expect(early.depth.visible).toBe(2);
    expect(changed.entries).toHaveLength(2);
    expect(reads.messages).toBe(2);
  });

  it("reads again at once after an action or when asked, and after a minute regardless", async () => {
    // Prepare
    const { index, reads, advance } = indexOver([dlqMessage()]);
    await index.snapshot();
    // Act
    index.invalidate();
    await index.snapshot();
    await index.snapshot(true);
    const asked = reads.messages;
    advance(61_000);
    await index.snapshot();
    // Assess
    expect(asked).toBe(3);
    expect(reads.messages).toBe(4);
  });
});
