import type { Context, SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createInProcessFunction, type InProcessHandler } from "../in-process-function";
import type { InvocationOutcome } from "../ports";
import { virtualWorld } from "./fakes";

const event: SQSEvent = { Records: [] };

function setup(handler: InProcessHandler, reservedConcurrency: number | null = null) {
  const world = virtualWorld();
  const fn = createInProcessFunction({
    handler,
    clock: world.clock,
    functionName: "messaging-lambda",
    memoryMb: 512,
    reservedConcurrency,
  });
  return { world, fn };
}

describe("createInProcessFunction", () => {
  it("serialises what the handler returns, as Lambda's runtime does", async () => {
    // Prepare
    const { fn } = setup(async () => ({ batchItemFailures: [{ itemIdentifier: "m-1" }] }));
    const quiet = setup(async () => undefined).fn;
    // Act
    const outcomes = [await fn.invoke(event, 1000), await quiet.invoke(event, 1000)];
    // Assess
    expect(outcomes).toEqual([
      { kind: "returned", payload: '{"batchItemFailures":[{"itemIdentifier":"m-1"}]}' },
      { kind: "returned", payload: "null" },
    ]);
  });

  it("reports a thrown error, and a result JSON cannot carry, as an error", async () => {
    // Prepare
    const boom = new Error("carrier down");
    const throwing = setup(async () => {
      throw boom;
    }).fn;
    const unserialisable = setup(async () => ({ count: 1n })).fn;
    // Act
    const outcomes = [await throwing.invoke(event, 1000), await unserialisable.invoke(event, 1000)];
    // Assess
    expect(outcomes[0]).toEqual({ kind: "error", error: boom });
    expect(outcomes[1]).toMatchObject({ kind: "error", error: expect.any(TypeError) });
  });

  it("times out on the clock and gives the handler a context whose remaining time follows it", async () => {
    // Prepare
    const seen: number[] = [];
    let context: Context | undefined;
    const { world, fn } = setup(async (_event, ctx) => {
      context = ctx;
      seen.push(ctx.getRemainingTimeInMillis());
      await world.clock.sleep(1500);
      seen.push(ctx.getRemainingTimeInMillis());
      await world.clock.sleep(1500);
      return "late";
    });
    // Act
    const invocation = fn.invoke(event, 2000);
    await world.runFor(5000);
    const outcome = await invocation;
    // Assess
    expect(outcome).toEqual({ kind: "timeout" });
    expect(seen).toEqual([2000, 500]);
    expect(context).toMatchObject({
      functionName: "messaging-lambda",
      memoryLimitInMB: "512",
      awsRequestId: "00000000-0000-4000-8000-000000000001",
      invokedFunctionArn: "arn:aws:lambda:ap-northeast-2:000000000000:function:messaging-lambda",
    });
  });

  it("throttles invocations beyond its reserved concurrency", async () => {
    // Prepare
    const { world, fn } = setup(async () => {
      await world.clock.sleep(1000);
      return null;
    }, 2);
    // Act
    const invocations = [fn.invoke(event, 5000), fn.invoke(event, 5000), fn.invoke(event, 5000)];
    const runningDuring = fn.running();
    await world.runFor(2000);
    const outcomes: InvocationOutcome[] = await Promise.all(invocations);
    // Assess
    expect(runningDuring).toBe(2);
    expect(outcomes.map((o) => o.kind)).toEqual(["returned", "returned", "throttled"]);
    expect(fn.running()).toBe(0);
  });
});
