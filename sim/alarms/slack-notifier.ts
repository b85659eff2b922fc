import { ValidationError } from "../../domain/errors";
import type { AlarmState } from "./alarm-evaluator";
import { type AlarmNotification, slackMessageFor } from "./alarm-notification";

export interface SlackNotificationRecord {
  /** StateChangeTime in epoch ms: virtual time in the virtual engine. */
  atMs: number;
  alarm: string;
  state: AlarmState;
  text: string;
  /** "not-configured" when there is no webhook: the run summary still lists the notification. */
  delivery: "not-configured" | "pending" | "delivered" | "failed";
  /** Why delivery failed: the HTTP status or the network error. */
  error?: string;
}

export interface SlackNotifierOptions {
  webhookUrl?: string;
  /** Per POST; Slack answers in well under a second. */
  timeoutMs?: number;
}

export interface SlackNotifier {
  /**
   * Records the notification and, with a webhook, POSTs it. Never rejects: failures are recorded,
   * so a Slack outage cannot break a simulation. The record is stored before the POST starts.
   */
  notify(notification: AlarmNotification): Promise<SlackNotificationRecord>;
  /** Every notification so far, in order. */
  readonly notifications: readonly SlackNotificationRecord[];
  /** Resolves when every POST started so far has finished. */
  flush(): Promise<void>;
}

export function createSlackNotifier(options: SlackNotifierOptions = {}): SlackNotifier {
  const { webhookUrl, timeoutMs = 10_000 } = options;
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl)) {
    throw new ValidationError("webhookUrl", webhookUrl, "must be an http(s) URL");
  }
  const notifications: SlackNotificationRecord[] = [];
  /** Settles once every POST started so far has finished (deliver never rejects). */
  let settled: Promise<unknown> = Promise.resolve();

  const deliver = async (record: SlackNotificationRecord, url: string, body: string) => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Slack answers "ok" or an error word such as "invalid_payload"; drain it to free the socket.
      const answer = await response.text();
      if (response.ok) record.delivery = "delivered";
      else {
        record.delivery = "failed";
        record.error = `HTTP ${response.status}: ${answer.slice(0, 200)}`;
      }
    } catch (error) {
      // fetch rejects with a TypeError ("fetch failed") or, on the timeout, a TimeoutError DOMException.
      const { name, message } = error as Error;
      record.delivery = "failed";
      record.error = `${name}: ${message}`;
    }
    return record;
  };

  return {
    notifications,
    notify(notification) {
      const message = slackMessageFor(notification);
      const record: SlackNotificationRecord = {
        atMs: Date.parse(notification.StateChangeTime),
        alarm: notification.AlarmName,
        state: notification.NewStateValue,
        text: message.text,
        delivery: webhookUrl === undefined ? "not-configured" : "pending",
      };
      notifications.push(record);
      if (webhookUrl === undefined) return Promise.resolve(record);
      const done = deliver(record, webhookUrl, JSON.stringify(message));
      settled = Promise.all([settled, done]);
      return done;
    },
    async flush() {
      await settled;
    },
  };
}
