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

  it("gives the handler the context Lambda's Node runtime gives, with the defaults of a 128 MB function", async () => {
    // Prepare: no memory or region given; the handler keeps its context and outlives its 1 s timeout.
    const world = virtualWorld();
    const contexts: Context[] = [];
    const fn = createInProcessFunction({
      handler: async (_event, context) => {
        contexts.push(context);
        await world.clock.sleep(3000);
        return null;
      },
      clock: world.clock,
      functionName: "messaging-lambda",
    });
    // Act
    const outcomes = Promise.all([fn.invoke(event, 1000), fn.invoke(event, 1000)]);
    await world.runFor(5000);
    await outcomes;
    // Assess
    const [first, second] = contexts;
    expect(first).toEqual({
      callbackWaitsForEmptyEventLoop: true,
      functionName: "messaging-lambda",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:ap-northeast-2:000000000000:function:messaging-lambda",
      memoryLimitInMB: "128",
      awsRequestId: "00000000-0000-4000-8000-000000000001",
      logGroupName: "/aws/lambda/messaging-lambda",
      logStreamName: "smsim/[$LATEST]00000000000040008000000000000001",
      getRemainingTimeInMillis: expect.any(Function),
      done: expect.any(Function),
      fail: expect.any(Function),
      succeed: expect.any(Function),
    });
    expect(second?.awsRequestId).toBe("00000000-0000-4000-8000-000000000002");
    expect(first?.getRemainingTimeInMillis()).toBe(0);
    expect(() => first?.done()).toThrow(
      "context.done/fail/succeed are not supported: return or throw from the async handler",
    );
    expect(() => first?.fail("no")).toThrow("not supported");
    expect(() => first?.succeed("yes")).toThrow("not supported");
  });

  it("counts a timed-out invocation as running no more, so it does not throttle the next", async () => {
    // Prepare: reserved concurrency 1; the first handler runs on for 10 s past its 1 s timeout.
    const { world, fn } = setup(async () => {
      await world.clock.sleep(10_000);
      return null;
    }, 1);
    const first = fn.invoke(event, 1000);
    await world.runFor(1500);
    // Act
    const second = fn.invoke(event, 20_000);
    const runningAfterTimeout = fn.running();
    await world.runFor(20_000);
    // Assess
    expect(await first).toEqual({ kind: "timeout" });
    expect(runningAfterTimeout).toBe(1);
    expect(await second).toEqual({ kind: "returned", payload: "null" });
  });
});
