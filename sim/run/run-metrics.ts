/**
 * Metrics both engines report, by the names scenario thresholds use. Tags in braces:
 * `delivery_latency_seconds{campaign:<traffic name>}`, `alarm_transitions{alarm:<name>,to:<state>}`.
 */
export const RUN_METRICS = {
  recipientsRequested: "recipients_requested",
  recipientsSent: "recipients_sent",
  recipientsFailed: "recipients_failed",
  recipientsInDlq: "recipients_in_dlq",
  recipientsPending: "recipients_pending",
  recipientsExpired: "recipients_expired",
  recipientsUnaccounted: "recipients_unaccounted",
  carrierRequests: "carrier_requests",
  carrierRateLimited: "carrier_rate_limited",
  carrierTransientErrors: "carrier_transient_errors",
  carrierTimeouts: "carrier_timeouts",
  carrierDuplicateDeliveries: "carrier_duplicate_deliveries",
  carrierRequestsPerSecondMax: "carrier_requests_per_second_max",
  dlqMessages: "dlq_messages",
  queueMaxReceiveCount: "queue_max_receive_count",
  lambdaInvocations: "lambda_invocations",
  lambdaErrors: "lambda_errors",
  lambdaThrottles: "lambda_throttles",
  lambdaMaxConcurrent: "lambda_max_concurrent",
  alarmTransitions: "alarm_transitions",
  slackNotifications: "slack_notifications",
  campaignDrainSeconds: "campaign_drain_seconds",
  campaignDlqSeconds: "campaign_dlq_seconds",
  deliveryLatencySeconds: "delivery_latency_seconds",
  costUsdTotal: "cost_usd_total",
} as const;
