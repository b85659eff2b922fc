import type { MessagingHandlerSettings } from "../../handler/create-messaging-handler";
import type { LambdaConfig } from "../../infra/pipeline-config";

/** The handler's settings from the template's function, as every harness that runs the handler needs them. */
export function handlerSettingsOf(lambda: LambdaConfig): MessagingHandlerSettings {
  return {
    recordParallelism: lambda.recordParallelism,
    carrierRetries: lambda.carrierRetries,
    carrierTimeoutMs: lambda.carrierTimeoutMs,
    rateLimitMaxWaitMs: lambda.rateLimitMaxWaitMs,
  };
}
