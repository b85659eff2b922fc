import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createRandom } from "../../../provider-mock/random";
import { sqsEvent, sqsRecord } from "../../../test/support/sqs-event";
import type { InvocationOutcome } from "../../esm/ports";
import { LambdaMarshalError } from "../errors";
import { createTemplateLambdaModel } from "../lambda-model";
import { catchError, inVirtualTime, lambda, scheduler, sleepingHandler, T0 } from "./fixtures";

const event = () => sqsEvent(sqsRecord());

describe("Lambda model", () => {
  it("throttles at once an invocation beyond reserved concurrency", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s, { reservedConcurrency: 2, handler: sleepingHandler(s, 1_000) });

    // Act
    const outcomes = await inVirtualTime(s, () =>
      Promise.all(
        [0, 1, 2].map(async () => ({ outcome: (await fn.invoke(event(), 3_000)).kind, at: s.now() - T0 })),
      ),
    );

    // Assess
    expect(outcomes).toEqual([
      { outcome: "returned", at: 1_250 },
      { outcome: "returned", at: 1_250 },
      { outcome: "throttled", at: 0 },
    ]);
    expect(fn.stats()).toMatchObject({ invocations: 2, throttles: 1, maxConcurrent: 2, concurrent: 0 });
  });

  it("throttles everything with reserved concurrency 0", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s, { reservedConcurrency: 0 });

    // Act
    const outcome = await fn.invoke(event(), 3_000);

    // Assess
    expect(outcome).toEqual({ kind: "throttled" });
  });

  it("starts each new environment cold once, reuses warm ones, and retires them after the idle TTL", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s, { coldStartMs: 250, idleInstanceTtlMs: 600_000, handler: sleepingHandler(s, 100) });
    const timed = async () => {
      const start = s.now();
      await fn.invoke(event(), 3_000);
      return s.now() - start;
    };

    // Act
    const durations = await inVirtualTime(s, async () => {
      const parallel = await Promise.all([timed(), timed()]);
      const warm = [await timed(), await timed()];
      await s.clock.sleep(600_000);
      const afterTtl = await timed();
      return { parallel, warm, afterTtl };
    });

    // Assess
    expect(durations).toEqual({ parallel: [350, 350], warm: [100, 100], afterTtl: 350 });
    expect(fn.stats()).toMatchObject({ coldStarts: 3, maxConcurrent: 2, invocations: 5, errors: 0 });
  });

  it("times out at the deadline while the handler runs on in the background", async () => {
    // Prepare
    const s = scheduler();
    const sideEffects: number[] = [];
    const fn = lambda(s, {
      handler: async () => {
        await s.clock.sleep(5_000);
        sideEffects.push(s.now() - T0);
        return { batchItemFailures: [] };
      },
    });

    // Act
    const first = await inVirtualTime(s, async () => ({
      outcome: await fn.invoke(event(), 3_000),
      at: s.now() - T0,
    }));

    // Assess
    expect(first).toEqual({ outcome: { kind: "timeout" }, at: 3_250 });
    expect(sideEffects).toEqual([5_250]);
    expect(fn.stats()).toMatchObject({
      invocations: 1,
      timeouts: 1,
      errors: 0,
      coldStarts: 1,
      billedMs: 3_250,
    });
  });

  it("starts cold after a timeout: the timed-out environment is not reused", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s, { handler: sleepingHandler(s, 5_000) });
    await inVirtualTime(s, () => fn.invoke(event(), 1_000));

    // Act
    await inVirtualTime(s, () => fn.invoke(event(), 10_000));

    // Assess
    expect(fn.stats().coldStarts).toBe(2);
  });

  it("bills init plus run time rounded up to the millisecond, times memory in GB", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s, { memoryMb: 512, coldStartMs: 250, handler: sleepingHandler(s, 100.2) });

    // Act
    await inVirtualTime(s, async () => {
      await fn.invoke(event(), 3_000);
      await fn.invoke(event(), 3_000);
    });

    // Assess: ceil(350.2) + ceil(100.2) = 351 + 101 ms at 0.5 GB
    expect(fn.stats()).toMatchObject({ billedMs: 452, architecture: "arm64" });
    expect(fn.stats().gbSeconds).toBeCloseTo(0.226, 12);
    // No timeout timer outlives its invocation: virtual time ends with the last handler.
    expect(s.now() - T0).toBeCloseTo(450.4, 3);
  });

  it("reports a thrown error or an unserialisable result as an error outcome", async () => {
    // Prepare
    const s = scheduler();
    const boom = new Error("carrier exploded");
    const throwing = lambda(s, {
      handler: async () => {
        throw boom;
      },
    });
    const bigint = lambda(s, { handler: async () => ({ n: 1n }) });

    // Act
    const outcomes: InvocationOutcome[] = await inVirtualTime(s, () =>
      Promise.all([throwing.invoke(event(), 3_000), bigint.invoke(event(), 3_000)]),
    );

    // Assess
    expect(outcomes[0]).toEqual({ kind: "error", error: boom });
    expect(outcomes[1]?.kind === "error" && outcomes[1].error).toBeInstanceOf(LambdaMarshalError);
    expect(throwing.stats()).toMatchObject({ invocations: 1, errors: 1 });
  });

  it("hands the handler its result as JSON would carry it", async () => {
    // Prepare
    const s = scheduler();
    const undefinedResult = lambda(s, { handler: async () => undefined });
    const dated = lambda(s, { handler: async () => ({ at: new Date(0) }) });

    // Act
    const outcomes = await inVirtualTime(s, () =>
      Promise.all([undefinedResult.invoke(event(), 3_000), dated.invoke(event(), 3_000)]),
    );

    // Assess
    expect(outcomes).toEqual([
      { kind: "returned", payload: null },
      { kind: "returned", payload: { at: "1970-01-01T00:00:00.000Z" } },
    ]);
  });

  it("gives the handler a context on the virtual clock", async () => {
    // Prepare
    const s = scheduler();
    const seen: { remaining: number[]; requestId: string; name: string; memory: string }[] = [];
    const fn = lambda(s, {
      memoryMb: 1024,
      handler: async (_event, context) => {
        const remaining = [context.getRemainingTimeInMillis()];
        await s.clock.sleep(1_500);
        remaining.push(context.getRemainingTimeInMillis());
        seen.push({
          remaining,
          requestId: context.awsRequestId,
          name: context.functionName,
          memory: context.memoryLimitInMB,
        });
      },
    });

    // Act
    await inVirtualTime(s, async () => {
      await fn.invoke(event(), 3_000);
      await fn.invoke(event(), 3_000);
    });

    // Assess
    expect(seen[0]).toMatchObject({ remaining: [3_000, 1_500], name: "test-lambda", memory: "1024" });
    expect(seen[0]?.requestId).not.toBe(seen[1]?.requestId);
  });

  it("draws cold-start durations from the seeded random", async () => {
    // Prepare
    const s = scheduler();
    const coldStartMs = (random: { int(min: number, max: number): number }) => 100 + random.int(0, 400);
    const expected = coldStartMs(createRandom(42));
    const fn = lambda(s, { coldStartMs, random: createRandom(42), handler: sleepingHandler(s, 0) });

    // Act
    const at = await inVirtualTime(s, async () => {
      await fn.invoke(event(), 3_000);
      return s.now() - T0;
    });

    // Assess
    expect(at).toBe(expected);
  });

  it("requires a random when cold starts are drawn", () => {
    // Prepare
    const s = scheduler();

    // Act
    const create = () => lambda(s, { coldStartMs: () => 250 });

    // Assess
    expect(create).toThrow("random: is required when coldStartMs is a function");
  });
  it("builds the template's function: its name, memory, architecture and reserved concurrency", async () => {
    // Prepare: the template's function has 512 MB, arm64 and 5 reserved.
    const s = scheduler();
    const { lambda: config } = loadPipelineConfig();
    const contexts: Context[] = [];
    const fn = createTemplateLambdaModel(config, {
      clock: s.clock,
      region: "ap-northeast-2",
      handler: async (_event, context) => {
        contexts.push(context);
        await s.clock.sleep(1_000);
      },
    });

    // Act
    const outcomes = await inVirtualTime(s, () =>
      Promise.all(Array.from({ length: 6 }, () => fn.invoke(event(), 3_000))),
    );

    // Assess
    expect(outcomes.filter((o) => o.kind === "throttled")).toHaveLength(1);
    expect(contexts[0]).toMatchObject({
      functionName: "messaging-lambda",
      memoryLimitInMB: "512",
      invokedFunctionArn: "arn:aws:lambda:ap-northeast-2:000000000000:function:messaging-lambda",
    });
    expect(fn.stats()).toMatchObject({ architecture: "arm64", maxConcurrent: 5 });
  });

  it("shares the account's pool without reserved concurrency: 1,000 concurrent executions by default", async () => {
    // Prepare
    const s = scheduler();
    const shared = lambda(s, { reservedConcurrency: null, handler: sleepingHandler(s, 1_000) });
    const small = lambda(s, {
      reservedConcurrency: null,
      accountConcurrency: 3,
      handler: sleepingHandler(s, 1_000),
    });
    const burst = (fn: typeof shared, n: number) =>
      Promise.all(Array.from({ length: n }, () => fn.invoke(event(), 3_000)));

    // Act
    await inVirtualTime(s, () => Promise.all([burst(shared, 1_001), burst(small, 4)]));

    // Assess
    expect(shared.stats()).toMatchObject({ maxConcurrent: 1_000, throttles: 1 });
    expect(small.stats()).toMatchObject({ maxConcurrent: 3, throttles: 1 });
  });

  it("gives the handler the context of Lambda's Node.js runtime, one log stream per environment", async () => {
    // Prepare
    const s = scheduler();
    const seen: { context: Context; remainingAfterDeadline: number }[] = [];
    const fn = lambda(s, {
      handler: async (_event, context) => {
        await s.clock.sleep(4_000);
        seen.push({ context, remainingAfterDeadline: context.getRemainingTimeInMillis() });
      },
    });

    // Act
    await inVirtualTime(s, () => Promise.all([fn.invoke(event(), 3_000), fn.invoke(event(), 3_000)]));
    const [first, second] = seen.map((x) => x.context);

    // Assess
    expect(first).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:test-lambda",
      logGroupName: "/aws/lambda/test-lambda",
    });
    expect(first?.logStreamName).toMatch(/^\[\$LATEST\][0-9a-f]{32}$/);
    expect(second?.logStreamName).not.toBe(first?.logStreamName);
    expect(seen.map((x) => x.remainingAfterDeadline)).toEqual([0, 0]);
    expect(first?.awsRequestId).toMatch(/^[0-9a-f]{8}-0000-4000-a000-0{11}1$/);
    expect(second?.awsRequestId).toMatch(/^[0-9a-f]{8}-0000-4000-a000-0{11}2$/);
    expect(catchError(() => first?.done())).toMatchObject({ code: "UNSUPPORTED" });
    expect(() => first?.done()).toThrow(/async handlers only/);
    expect(() => first?.fail("x")).toThrow(/async handlers only/);
    expect(() => first?.succeed("x")).toThrow(/async handlers only/);
  });

  it("reports a handler that throws before returning a promise as an error, and keeps its environment", async () => {
    // Prepare
    const s = scheduler();
    const boom = new Error("thrown synchronously");
    const fn = lambda(s, {
      handler: () => {
        throw boom;
      },
    });

    // Act
    const outcomes = await inVirtualTime(s, async () => [
      await fn.invoke(event(), 3_000),
      await fn.invoke(event(), 3_000),
    ]);

    // Assess
    expect(outcomes).toEqual([
      { kind: "error", error: boom },
      { kind: "error", error: boom },
    ]);
    expect(fn.stats()).toMatchObject({ errors: 2, invocations: 2, coldStarts: 1, concurrent: 0 });
  });
  it("names the setting and the value it refuses", async () => {
    // Prepare
    const s = scheduler();
    const fn = lambda(s);
    const drawn = lambda(s, { coldStartMs: () => -1, random: createRandom(1) });

    // Act
    const refusals = [
      () => lambda(s, { memoryMb: 127 }),
      () => lambda(s, { reservedConcurrency: -1 }),
      () => lambda(s, { reservedConcurrency: null, accountConcurrency: 0 }),
      () => lambda(s, { idleInstanceTtlMs: -1 }),
      () => lambda(s, { coldStartMs: -1 }),
    ].map((create) => (catchError(create) as Error).message);
    const badTimeout = await fn.invoke(event(), 0).catch((error: Error) => error.message);
    const badDraw = await drawn.invoke(event(), 3_000).catch((error: Error) => error.message);

    // Assess
    expect(refusals).toEqual([
      "memoryMb: must be an integer from 128 to 10240 (got 127)",
      "reservedConcurrency: must be an integer from 0 to 1000000 (got -1)",
      "accountConcurrency: must be an integer from 1 to 1000000 (got 0)",
      "idleInstanceTtlMs: must be a finite number >= 0 (got -1)",
      "coldStartMs: must be a finite number >= 0 (got -1)",
    ]);
    expect(badTimeout).toBe("timeoutMs: must be an integer from 1 to 900000 (got 0)");
    expect(badDraw).toBe("coldStartMs(): must be a finite number >= 0 (got -1)");
  });
});
