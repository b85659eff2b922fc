import type { MessagingService, ResumedCampaign, SendBulkMessageInput } from "../messaging-service";

export interface LaunchedCampaign {
  logId: number;
  /** Recipients the audience matched when the campaign was accepted. */
  totalCount: number;
}

/** Starts campaigns without waiting for a large audience to be enqueued. */
export interface CampaignLauncher {
  /** Resolves once the campaign's log row exists; enqueueing goes on in the background. */
  launch(input: SendBulkMessageInput): Promise<LaunchedCampaign>;
  /** Claims an interrupted campaign and continues its enqueue in the background. */
  resume(logId: number): Promise<Omit<ResumedCampaign, "done">>;
  /** Resolves when every background enqueue has finished (graceful shutdown, tests). */
  settled(): Promise<void>;
}

export interface CampaignLauncherOptions {
  messaging: Pick<MessagingService, "startBulkMessage" | "resumeBulkMessage">;
  /** Called when a background enqueue fails after the caller already had its logId. */
  onBackgroundError(error: unknown): void;
}

export function createCampaignLauncher(options: CampaignLauncherOptions): CampaignLauncher {
  const { messaging, onBackgroundError } = options;
  const inflight = new Set<Promise<unknown>>();
  const track = (done: Promise<unknown>) => {
    const tracked = done.catch(onBackgroundError).finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };

  return {
    async launch(input) {
      const { logId, totalCount, done } = await messaging.startBulkMessage(input);
      track(done);
      return { logId, totalCount };
    },

    async resume(logId) {
      const { done, ...resumed } = await messaging.resumeBulkMessage(logId);
      track(done);
      return resumed;
    },

    async settled() {
      await Promise.allSettled([...inflight]);
    },
  };
}
