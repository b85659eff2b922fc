import type { Context, SQSEvent } from "aws-lambda";
import type { EsmBackoff } from "../../sim/esm/esm-backoff";
import {
  createEventSourceMapping,
  type EsmConfig,
  type EventSourceMapping,
  type InvocationEvent,
} from "../../sim/esm/event-source-mapping";
import { createLambdaModel } from "../../sim/virtual/lambda-model";
import { createVirtualQueuePort } from "../../sim/virtual/sqs-queue-model";
import { queuePair, scheduler, T0 } from "../../sim/virtual/test/fixtures";

export interface EsmWorldOptions {
  /** ReservedConcurrentExecutions; null = the account's 1,000. */
  reservedConcurrency: number | null;
  /** ScalingConfig.MaximumConcurrency; null = none. */
  maximumConcurrency: number | null;
  visibilityTimeoutSeconds: number;
  /** Virtual milliseconds the function works on a batch. */
  batchMs: number;
  functionTimeoutSeconds?: number;
  batchSize?: number;
  reportBatchItemFailures?: boolean;
  maxReceiveCount?: number;
  backoff?: Partial<EsmBackoff>;
  /** What the function returns (or throws) for a batch, after batchMs; default no failures. */
  respond?: (event: SQSEvent) => unknown;
}

/**
 * AWS's pieces as a user deploys them, in virtual time: a standard queue with its DLQ (the SQS
 * model), a function with reserved concurrency (the Lambda model) and the event source mapping
 * between them. Cold starts are 0 so the documented numbers are the only ones in play. A world is
 * read where it stands after runFor(): an idle poller waits on the queue model for good, as the
 * virtual engine's do.
 */
export function esmWorld(options: EsmWorldOptions) {
  const s = scheduler();
  const { queue, dlq } = queuePair(s, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    maxReceiveCount: options.maxReceiveCount ?? 3,
  });
  const respond = options.respond ?? (() => ({ batchItemFailures: [] }));
  const fn = createLambdaModel({
    functionName: "conformance",
    handler: async (event: SQSEvent, _context: Context) => {
      await s.clock.sleep(options.batchMs);
      return respond(event);
    },
    clock: s.clock,
    memoryMb: 128,
    architecture: "arm64",
    reservedConcurrency: options.reservedConcurrency,
    coldStartMs: 0,
  });
  const config: EsmConfig = {
    batchSize: options.batchSize ?? 10,
    maxBatchingWindowSeconds: 0,
    maximumConcurrency: options.maximumConcurrency,
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    functionTimeoutSeconds: options.functionTimeoutSeconds ?? Math.min(900, options.visibilityTimeoutSeconds),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  };
  const events: InvocationEvent[] = [];
  const esm: EventSourceMapping = createEventSourceMapping({
    queue: createVirtualQueuePort(queue, {
      arn: "arn:aws:sqs:us-east-1:000000000000:q",
      region: "us-east-1",
    }),
    fn,
    clock: s.clock,
    config,
    backoff: options.backoff,
    onInvocation: (event) => events.push(event),
  });
  return {
    queue,
    dlq,
    fn,
    esm,
    events,
    /** Seconds since the world began. */
    seconds: (atMs: number) => (atMs - T0) / 1000,
    /** Sends `count` messages, bodies `message-0`, `message-1`... unless `body` says otherwise. */
    send(count: number, body: (i: number) => string = (i) => `message-${i}`) {
      for (let i = 0; i < count; i++) queue.send(body(i));
    },
    runFor: (ms: number) => s.run(s.now() + ms),
    /** Runs `seconds` seconds, calling `sample` after each one. */
    async sampleEverySecond(seconds: number, sample: (second: number) => void) {
      for (let second = 1; second <= seconds; second++) {
        await s.run(s.now() + 1000);
        sample(second);
      }
    },
  };
}
