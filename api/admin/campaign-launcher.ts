import type { MessagingService, SendBulkMessageInput } from "../messaging-service";
import type { AudiencePreview } from "./audience-preview";

export interface LaunchedCampaign {
  logId: number;
  /** Recipients the audience matched when the campaign was accepted. */
  totalCount: number;
}

/** Starts campaigns without waiting for a large audience to be enqueued. */
export interface CampaignLauncher {
  /** Resolves once the campaign's log row exists; enqueueing goes on in the background. */
  launch(input: SendBulkMessageInput): Promise<LaunchedCampaign>;
  /** Resolves when every background enqueue has finished (graceful shutdown, tests). */
  settled(): Promise<void>;
}

export interface CampaignLauncherOptions {
  messaging: Pick<MessagingService, "startBulkMessage">;
  audiences: AudiencePreview;
  /** Called when a background enqueue fails after the caller already had its logId. */
  onBackgroundError(error: unknown): void;
}

export function createCampaignLauncher(options: CampaignLauncherOptions): CampaignLauncher {
  const { messaging, audiences, onBackgroundError } = options;
  const inflight = new Set<Promise<unknown>>();

  return {
    async launch(input) {
      // The producer does not report the audience's size until it has enqueued all of it.
      const totalCount = input.userIds ? input.userIds.length : await audiences.count(input.audience);
      const { logId, done } = await messaging.startBulkMessage(input);
      const tracked = done.catch(onBackgroundError).finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      return { logId, totalCount };
    },

    async settled() {
      await Promise.allSettled([...inflight]);
    },
  };
}
