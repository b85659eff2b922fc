import { CAMPAIGN_COLUMNS, campaignCells } from "./campaign-table";
import {
  formatCount,
  formatFirstAlarm,
  formatMetricValue,
  formatPercent,
  formatSeconds,
  formatUsd,
} from "./format";
import type { RunSummary } from "./summary";

export interface ConsoleSummaryOptions {
  /** ANSI colours for passed and failed thresholds. */
  color?: boolean;
}

const PASS = "✓";
const FAIL = "✗";

/** A k6-like end-of-run summary: thresholds with check marks, then the run's counters in aligned columns. */
export function formatConsoleSummary(summary: RunSummary, options: ConsoleSummaryOptions = {}): string {
  const paint = (ok: boolean, text: string) => (options.color ? `\x1b[${ok ? 32 : 31}m${text}\x1b[0m` : text);
  const { recipients: r, carrier: c, queue: q, lambda: l } = summary;
  const out: string[] = [
    "",
    `  scenario: ${summary.scenario}  engine: ${summary.engine}  seed: ${summary.seed}`,
    `  simulated ${formatSeconds(summary.scenarioSeconds)} in ${formatSeconds(summary.wallSeconds)} of wall time`,
  ];
  if (summary.interrupted) {
    out.push(
      `  ${paint(false, "INTERRUPTED")}: a partial run; recipients not finished by then count as pending`,
    );
  }

  if (summary.abortedBy) {
    const a = summary.abortedBy;
    out.push(
      `  aborted at ${formatSeconds(a.atSeconds)} by ${a.metric}: ${a.expression} (measured ${formatMetricValue(a.value)}; abortOnFail)`,
    );
  }
  if (summary.thresholds.length > 0) {
    out.push("", "  THRESHOLDS");
    const rows = summary.thresholds.map((t) => [
      `${paint(t.ok, t.ok ? PASS : FAIL)} ${t.metric}`,
      t.expression,
      `${formatMetricValue(t.value)}${t.noSamples ? " (no samples)" : ""}`,
    ]);
    out.push(...dottedColumns(rows));
  }

  const sections: [string, string[][]][] = [];
  sections.push([
    "RECIPIENTS",
    [
      ["requested", formatCount(r.requested), ""],
      ["sent", formatCount(r.sent), formatPercent(r.sent, r.requested)],
      ["failed", formatCount(r.failed), formatPercent(r.failed, r.requested)],
      ["in DLQ", formatCount(r.inDlq), formatPercent(r.inDlq, r.requested)],
      ["pending", formatCount(r.pending), formatPercent(r.pending, r.requested)],
      ["expired", formatCount(r.expired), formatPercent(r.expired, r.requested)],
      ["unaccounted", formatCount(r.unaccounted), formatPercent(r.unaccounted, r.requested)],
    ],
  ]);
  sections.push([
    "CARRIER",
    [
      ["requests", formatCount(c.requests), ""],
      ["accepted", formatCount(c.accepted), formatPercent(c.accepted, c.requests)],
      ["rate limited (429)", formatCount(c.rateLimited), formatPercent(c.rateLimited, c.requests)],
      ["transient errors", formatCount(c.transientErrors), formatPercent(c.transientErrors, c.requests)],
      ["timeouts", formatCount(c.timeouts), formatPercent(c.timeouts, c.requests)],
      ["max accepted requests/s", formatCount(c.maxAcceptedRequestsPerSecond), ""],
      ["duplicate deliveries", formatCount(c.duplicateDeliveries), ""],
    ],
  ]);
  sections.push([
    "QUEUE",
    [
      ["sent", formatCount(q.sent), ""],
      ["received", formatCount(q.received), ""],
      ["deleted", formatCount(q.deleted), ""],
      ["moved to DLQ", formatCount(q.movedToDlq), ""],
      ["max receive count", formatCount(q.maxApproximateReceiveCount), ""],
    ],
  ]);
  sections.push([
    "LAMBDA",
    [
      ["invocations", formatCount(l.invocations), ""],
      ["errors", formatCount(l.errors), formatPercent(l.errors, l.invocations)],
      ["throttles", formatCount(l.throttles), ""],
      ["max concurrent", formatCount(l.maxConcurrent), ""],
      ["GB-seconds", formatCount(l.gbSeconds), ""],
    ],
  ]);
  // One dot column for all counter sections, as k6 does.
  const labelWidth = Math.max(
    ...sections.flatMap(([, rows]) => rows.map((row) => visibleLength(row[0] ?? ""))),
  );
  for (const [title, rows] of sections) out.push("", `  ${title}`, ...dottedColumns(rows, labelWidth));

  if (summary.campaigns.length > 0) {
    out.push("", "  CAMPAIGNS");
    const header = CAMPAIGN_COLUMNS.map((c) => c.title);
    out.push(...table([header, ...summary.campaigns.map(campaignCells)], true));
  }

  out.push(...esmAssumptionLines(summary.esm));

  const transitions = summary.alarms.flatMap((a) =>
    a.transitions.map((t) => [a.name, `${t.from} -> ${t.to}`, `at ${formatSeconds(t.atSeconds)}`]),
  );
  if (transitions.length > 0) out.push("", "  ALARMS", ...table(transitions));
  const firings = summary.alarms.flatMap((a) =>
    a.firstAlarm ? [[a.name, `first ALARM ${formatFirstAlarm(a.firstAlarm)}`]] : [],
  );
  if (firings.length > 0) out.push("", "  WHEN SLACK HEARS", ...table(firings));
  if (summary.notifications.length > 0) {
    out.push(
      "",
      "  NOTIFICATIONS",
      ...table(summary.notifications.map((n) => [`at ${formatSeconds(n.atSeconds)}`, n.text])),
    );
  }

  const cost = summary.costUsd;
  out.push(
    "",
    `  COST (${cost.pricedRegion} list prices)`,
    ...table([
      [
        `sqs ${formatUsd(cost.sqs)}`,
        `lambda ${formatUsd(cost.lambda)}`,
        `cloudwatch ${formatUsd(cost.cloudwatch)}`,
        `total ${formatUsd(cost.total)}`,
      ],
    ]),
  );

  if (summary.advice && summary.advice.length > 0) {
    out.push(
      "",
      "  ADVICE (the template against AWS's guidance)",
      ...summary.advice.map((a) => `    - ${a}`),
    );
  }

  const failed = summary.thresholds.filter((t) => !t.ok).length;
  if (summary.thresholds.length > 0) {
    const ok = failed === 0;
    const verdict = ok
      ? `${PASS} all ${summary.thresholds.length} thresholds passed`
      : `${FAIL} ${failed} of ${summary.thresholds.length} thresholds failed`;
    out.push("", `  ${paint(ok, verdict)}`);
  }
  out.push("");
  return out.join("\n");
}

/** Held throttled batches, and which outcomes rest on the mapping's unpublished settings. */
function esmAssumptionLines(esm: RunSummary["esm"]): string[] {
  if (esm.throttledBatches === 0 && esm.assumptions.length === 0) return [];
  const lines = ["", "  EVENT SOURCE MAPPING (assumptions: docs/CONFORMANCE.md)"];
  lines.push(
    ...dottedColumns([
      ["throttled batches held", formatCount(esm.throttledBatches), ""],
      [
        "dropped past visibility",
        formatCount(esm.droppedBatches),
        `${formatCount(esm.messagesDropped)} messages`,
      ],
    ]),
  );
  for (const sentence of esm.assumptions) lines.push(`    ! ${sentence}`);
  return lines;
}

/** `label.......: value  extra` rows, k6-style: dots lead from the first cell to the others. */
function dottedColumns(
  rows: string[][],
  width = Math.max(...rows.map((row) => visibleLength(row[0] ?? ""))),
): string[] {
  const labelWidth = width + 3;
  const values = alignColumns(rows.map((row) => row.slice(1)));
  return rows.map((row, i) => {
    const label = row[0] ?? "";
    return `    ${label}${".".repeat(labelWidth - visibleLength(label))}: ${values[i] ?? ""}`.trimEnd();
  });
}

function table(rows: string[][], header = false): string[] {
  return alignColumns(rows, header).map((row) => `    ${row}`.trimEnd());
}

/** Rows in aligned columns; a column whose cells (header aside) are all numbers or amounts is right-aligned. */
function alignColumns(rows: string[][], header = false): string[] {
  const widths: number[] = [];
  const numeric: boolean[] = [];
  for (const [i, row] of rows.entries()) {
    for (const [j, cell] of row.entries()) {
      widths[j] = Math.max(widths[j] ?? 0, visibleLength(cell));
      if (i > 0 || !header) numeric[j] = (numeric[j] ?? true) && (cell === "" || /^[\d$-]/.test(cell));
    }
  }
  return rows.map((row) => row.map((cell, j) => pad(cell, widths[j] ?? 0, numeric[j] ?? false)).join("  "));
}

function pad(cell: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - visibleLength(cell)));
  return right ? fill + cell : cell + fill;
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own ANSI colour codes
  return text.replace(/\x1b\[\d+m/g, "").length;
}
