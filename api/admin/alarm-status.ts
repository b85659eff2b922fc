/** CloudWatch's alarm states. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmStatus {
  name: string;
  state: AlarmState;
  reason: string;
  /** Epoch ms (virtual epoch in the simulator) of the last transition. */
  stateChangedAt: number;
}

export interface AlarmTransition {
  name: string;
  from: AlarmState;
  to: AlarmState;
  reason: string;
  /** Epoch ms of the transition. */
  at: number;
}

/**
 * Where the console learns alarm states. The simulator's alarm evaluator implements it; in AWS
 * an adapter over CloudWatch DescribeAlarms / DescribeAlarmHistory would.
 */
export interface AlarmStatusSource {
  current(): AlarmStatus[] | Promise<AlarmStatus[]>;
  /** Transitions, oldest first. */
  history(): AlarmTransition[] | Promise<AlarmTransition[]>;
}

export type OverallAlarmState = AlarmState | "UNKNOWN";

/** ALARM if any alarm is in ALARM, OK if every one is OK, UNKNOWN with none. */
export function overallState(alarms: readonly AlarmStatus[]): OverallAlarmState {
  if (alarms.length === 0) return "UNKNOWN";
  if (alarms.some((a) => a.state === "ALARM")) return "ALARM";
  return alarms.every((a) => a.state === "OK") ? "OK" : "INSUFFICIENT_DATA";
}
