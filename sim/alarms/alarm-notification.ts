import type { AlarmConfig } from "../../infra/pipeline-config";
import type { AlarmState, AlarmTransition } from "./alarm-evaluator";

/** The JSON CloudWatch publishes to an alarm's SNS topic (the SNS message's `Message`). */
export interface AlarmNotification {
  AlarmName: string;
  AlarmDescription: string | null;
  AWSAccountId: string;
  NewStateValue: AlarmState;
  NewStateReason: string;
  /** e.g. 2026-11-06T10:05:00.000+0000, as CloudWatch writes it. */
  StateChangeTime: string;
  Region: string;
  AlarmArn: string;
  OldStateValue: AlarmState;
  Trigger: {
    MetricName: string;
    Namespace: string;
    StatisticType: "Statistic";
    Statistic: string;
    Unit: null;
    Dimensions: { value: string; name: string }[];
    Period: number;
    EvaluationPeriods: number;
    DatapointsToAlarm: number;
    ComparisonOperator: AlarmConfig["comparisonOperator"];
    Threshold: number;
    TreatMissingData: AlarmConfig["treatMissingData"];
    EvaluateLowSampleCountPercentile: "";
  };
}

export interface AlarmAccount {
  /** Defaults to ElasticMQ's and LocalStack's 000000000000. */
  accountId?: string;
  region?: string;
}

const STATISTIC_NAMES: Record<AlarmConfig["statistic"], string> = {
  Sum: "SUM",
  Average: "AVERAGE",
  Minimum: "MINIMUM",
  Maximum: "MAXIMUM",
  SampleCount: "SAMPLE_COUNT",
};

export function buildAlarmNotification(
  alarm: AlarmConfig,
  transition: AlarmTransition,
  account: AlarmAccount = {},
): AlarmNotification {
  const accountId = account.accountId ?? "000000000000";
  const region = account.region ?? "us-east-1";
  return {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description,
    AWSAccountId: accountId,
    NewStateValue: transition.to,
    NewStateReason: transition.reason,
    StateChangeTime: new Date(transition.atMs).toISOString().replace("Z", "+0000"),
    Region: region,
    AlarmArn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${alarm.name}`,
    OldStateValue: transition.from,
    Trigger: {
      MetricName: alarm.metricName,
      Namespace: alarm.namespace,
      StatisticType: "Statistic",
      Statistic: STATISTIC_NAMES[alarm.statistic],
      Unit: null,
      Dimensions: alarm.dimensions.map((d) => ({ value: d.value, name: d.name })),
      Period: alarm.periodSeconds,
      EvaluationPeriods: alarm.evaluationPeriods,
      DatapointsToAlarm: alarm.datapointsToAlarm,
      ComparisonOperator: alarm.comparisonOperator,
      Threshold: alarm.threshold,
      TreatMissingData: alarm.treatMissingData,
      EvaluateLowSampleCountPercentile: "",
    },
  };
}

/** An incoming-webhook payload: `text` is what phones and plain clients show. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type SlackText = { type: "mrkdwn"; text: string };
type SlackBlock =
  | { type: "section"; text: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] };

const STATE_EMOJI: Record<AlarmState, string> = {
  ALARM: ":rotating_light:",
  OK: ":white_check_mark:",
  INSUFFICIENT_DATA: ":grey_question:",
};

const OPERATOR_SYMBOLS: Record<AlarmConfig["comparisonOperator"], string> = {
  GreaterThanOrEqualToThreshold: ">=",
  GreaterThanThreshold: ">",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

/**
 * Builds the Slack message from the notification alone, as a forwarder subscribed to the topic
 * would: the measured value exists only inside NewStateReason, so it is read from there.
 */
export function slackMessageFor(notification: AlarmNotification): SlackMessage {
  const { Trigger: trigger } = notification;
  const subject = trigger.Dimensions.map((d) => d.value).join(", ") || trigger.Namespace;
  const period = `${trigger.Period / 60} min`;
  const rule = `${OPERATOR_SYMBOLS[trigger.ComparisonOperator]} ${trigger.Threshold}`;
  const latest = latestValue(notification.NewStateReason);
  const measured =
    notification.NewStateValue === "INSUFFICIENT_DATA"
      ? `no ${trigger.MetricName} data for ${subject}`
      : latest === undefined
        ? notification.NewStateReason
        : `${trigger.MetricName} ${trigger.Statistic} = ${latest} for ${subject} over ${period} (alarm when ${rule})`;
  const text =
    `${STATE_EMOJI[notification.NewStateValue]} ${notification.AlarmName} is ${notification.NewStateValue} ` +
    `(was ${notification.OldStateValue}): ${measured}`;
  const fields: SlackText[] = [
    mrkdwn(`*Metric*\n${trigger.Namespace} ${trigger.MetricName} (${trigger.Statistic}, ${period})`),
    mrkdwn(`*Dimensions*\n${trigger.Dimensions.map((d) => `${d.name}=${d.value}`).join(", ") || "none"}`),
    mrkdwn(`*Alarm when*\n${rule} in ${trigger.DatapointsToAlarm} of ${trigger.EvaluationPeriods}`),
    mrkdwn(`*Changed at*\n${notification.StateChangeTime}`),
  ];
  const blocks: SlackBlock[] = [{ type: "section", text: mrkdwn(text), fields }];
  if (notification.AlarmDescription) {
    blocks.push({ type: "context", elements: [mrkdwn(notification.AlarmDescription)] });
  }
  blocks.push({ type: "context", elements: [mrkdwn(notification.NewStateReason)] });
  return { text, blocks };
}

function mrkdwn(text: string): SlackText {
  return { type: "mrkdwn", text };
}

/** The first (newest) value in "... datapoints [5.0 (06/11/26 10:05:00), ...] ...". */
function latestValue(reason: string): number | undefined {
  const match = /\[(-?[\d.]+(?:E-?\d+)?) \(/.exec(reason);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
