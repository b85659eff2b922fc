import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { type AlarmSegment, alarmSegments, type DownsampledTimeline, downsampleTimeline } from "./downsample";
import { formatCount } from "./format";
import { type CampaignSummary, type CampaignWindow, createRunTimeline, type RunTimeline } from "./summary";

/** A month at minute resolution becomes ~2,000 points: enough for a 900-pixel chart. */
export const MAX_POINTS_PER_CHART = 2000;
/** A campaign's drain: a point per step up to this many, a bucket's maximum past it. */
const MAX_POINTS_PER_WINDOW = 600;

export const WIDTH = 820;
export const HEIGHT = 170;
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const COLORS = {
  delivered: "#0f766e",
  visible: "#2563eb",
  inFlight: "#f59e0b",
  dlq: "#dc2626",
  requests: "#4f46e5",
  requestsMean: "#a5b4fc",
  rateLimited: "#ef4444",
  concurrency: "#7c3aed",
  OK: "#16a34a",
  ALARM: "#dc2626",
  INSUFFICIENT_DATA: "#9ca3af",
};

export interface Chart {
  id: string;
  title: string;
  /** What the reader should look for, under the title. */
  caption: string;
  svg: string;
}

/** The report's charts, each a vega-lite spec compiled to vega and rendered headless to SVG. */
export async function renderCharts(
  timeline: RunTimeline | null,
  campaigns: readonly CampaignSummary[],
): Promise<Chart[]> {
  const specs: (Omit<Chart, "svg"> & { spec: TopLevelSpec })[] = [];
  if (timeline !== null && timeline.minutes > 0) {
    const data = downsampleTimeline(timeline, MAX_POINTS_PER_CHART);
    const axis = timeAxis(timeline.minutes);
    const perBucket =
      data.bucketMinutes > 1 ? ` (each point: the highest of ${data.bucketMinutes} minutes)` : "";
    specs.push(
      {
        id: "delivered",
        title: "Delivered per minute",
        caption: `Recipients accepted by the carrier each minute${perBucket}.`,
        spec: single(
          rows(data, axis, { delivered: "delivered" }),
          axis,
          "delivered",
          "recipients / min",
          "area",
          COLORS.delivered,
        ),
      },
      {
        id: "queue",
        title: "Source queue",
        caption: `Messages visible (waiting) and in flight (received, not yet deleted)${perBucket}.`,
        spec: series(
          rows(data, axis, { visible: "queueVisible", "in flight": "queueInFlight" }),
          axis,
          "messages",
          { visible: COLORS.visible, "in flight": COLORS.inFlight },
        ),
      },
      {
        id: "dlq",
        title: "DLQ depth",
        caption: "Messages in the dead-letter queue at the end of each minute.",
        spec: single(rows(data, axis, { dlq: "dlqDepth" }), axis, "dlq", "messages", "area", COLORS.dlq),
      },
      {
        id: "carrier",
        title: "Carrier requests per second",
        caption:
          `Accepted requests: the busiest second and the mean of each minute${perBucket}` +
          (timeline.carrierLimitPerSecond === null
            ? "; the carrier had no limit"
            : ", against the carrier's limit (dashed)") +
          "; red bars are 429 answers per minute (right axis).",
        spec: carrierChart(data, axis, timeline.carrierLimitPerSecond),
      },
      {
        id: "concurrency",
        title: "Lambda concurrency",
        caption: `Most concurrent invocations in each minute${perBucket}.`,
        spec: single(
          rows(data, axis, { concurrency: "lambdaConcurrencyMax" }),
          axis,
          "concurrency",
          "invocations",
          "line",
          COLORS.concurrency,
        ),
      },
    );
    if (timeline.alarms.length > 0) {
      specs.push({
        id: "alarms",
        title: "Alarm state",
        caption: "Each alarm's state minute by minute.",
        spec: alarmChart(alarmSegments(timeline), axis, timeline.minutes),
      });
    }
  }
  if (campaigns.length > 0) {
    specs.push({
      id: "latency",
      title: "Delivery latency per campaign",
      caption: "Seconds from a recipient's enqueue to the carrier's acceptance: p50, p95 and p99.",
      spec: latencyChart(campaigns),
    });
  }
  const charts: Chart[] = [];
  for (const { spec, ...chart } of specs) charts.push({ ...chart, svg: await renderSvg(spec) });
  return charts;
}

/** Renders a vega-lite spec to an SVG string without a browser or canvas. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The x axis: `perMinute` converts the timeline's index (a minute, or a window's step) to `unit`. */
interface TimeAxis {
  unit: "seconds" | "minutes" | "hours" | "days";
  perMinute: number;
  end: number;
  /** What t counts from. */
  origin: string;
}

function timeAxis(minutes: number): TimeAxis {
  const origin = "scenario time";
  if (minutes <= 180) return { unit: "minutes", perMinute: 1, end: minutes, origin };
  if (minutes <= 3 * 24 * 60) return { unit: "hours", perMinute: 1 / 60, end: minutes / 60, origin };
  return { unit: "days", perMinute: 1 / 1440, end: minutes / 1440, origin };
}

type Row = Record<string, number>;

function rows(
  data: DownsampledTimeline,
  axis: TimeAxis,
  fields: Record<string, keyof DownsampledTimeline["series"]>,
): Row[] {
  return data.minute.map((minute, i) => {
    const row: Row = { t: minute * axis.perMinute };
    for (const [field, name] of Object.entries(fields)) row[field] = data.series[name][i] ?? 0;
    return row;
  });
}

/** The look every chart shares (fonts, axis colours, legend on top). */
export const config = {
  font: FONT,
  view: { stroke: null },
  // The same room for every left axis, so the charts' plot areas line up down the page.
  axisLeft: { minExtent: 44 },
  axis: {
    labelColor: "#475569",
    titleColor: "#334155",
    gridColor: "#e2e8f0",
    domainColor: "#94a3b8",
    tickColor: "#94a3b8",
  },
  legend: { labelColor: "#334155", titleColor: "#334155", orient: "top" as const },
};

function xEncoding(axis: TimeAxis) {
  return {
    field: "t",
    type: "quantitative" as const,
    title: `${axis.origin} (${axis.unit})`,
    scale: { domain: [0, axis.end], nice: false },
  };
}

function single(
  values: Row[],
  axis: TimeAxis,
  field: string,
  title: string,
  mark: "area" | "line",
  color: string,
): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    config,
    data: { values },
    mark:
      mark === "area"
        ? { type: "area", interpolate: "step-after", color, opacity: 0.85, line: { color } }
        : { type: "line", interpolate: "step-after", color },
    // Counts of messages or invocations: whole-number ticks, even when every value is 0.
    encoding: {
      x: xEncoding(axis),
      y: { field, type: "quantitative", title, axis: { format: ",d", tickMinStep: 1 } },
    },
  };
}

function series(values: Row[], axis: TimeAxis, title: string, colors: Record<string, string>): TopLevelSpec {
  const names = Object.keys(colors);
  return {
    width: WIDTH,
    height: HEIGHT,
    config,
    data: { values },
    transform: [{ fold: names, as: ["series", "value"] }],
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: xEncoding(axis),
      y: { field: "value", type: "quantitative", title },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: names, range: Object.values(colors) },
      },
    },
  };
}

function carrierChart(
  data: DownsampledTimeline,
  axis: TimeAxis,
  limit: number | null,
  rateLimitedTitle = "429s / min",
): TopLevelSpec {
  const values = rows(data, axis, {
    "busiest second": "carrierRequestsPerSecondMax",
    mean: "carrierRequestsPerSecond",
    rateLimited: "carrierRateLimited",
  }).map((row) => ({ ...row, tEnd: (row.t ?? 0) + data.bucketMinutes * axis.perMinute }));
  const names = ["busiest second", "mean"];
  const limitLayers =
    limit === null
      ? []
      : [
          {
            data: { values: [{ limit }] },
            mark: { type: "rule" as const, color: COLORS.rateLimited, strokeDash: [6, 4], strokeWidth: 1.5 },
            encoding: { y: { field: "limit", type: "quantitative" as const } },
          },
          {
            data: { values: [{ limit, t: 0 }] },
            mark: { type: "text" as const, align: "left" as const, dx: 4, dy: -7, color: COLORS.rateLimited },
            encoding: {
              x: { field: "t", type: "quantitative" as const },
              y: { field: "limit", type: "quantitative" as const },
              text: { value: `limit ${limit}/s` },
            },
          },
        ];
  return {
    width: WIDTH,
    height: HEIGHT,
    config,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.rateLimited > 0" }],
        mark: { type: "rect", color: COLORS.rateLimited, opacity: 0.45 },
        encoding: {
          x: xEncoding(axis),
          x2: { field: "tEnd" },
          y: {
            field: "rateLimited",
            type: "quantitative",
            title: rateLimitedTitle,
            axis: { orient: "right", titleColor: COLORS.rateLimited, format: "d", tickMinStep: 1 },
          },
        },
      },
      {
        // One y scale for the request rates and the limit, apart from the 429s' scale.
        layer: [
          {
            transform: [{ fold: names, as: ["series", "value"] }],
            mark: { type: "line", interpolate: "step-after" },
            encoding: {
              x: xEncoding(axis),
              y: { field: "value", type: "quantitative", title: "requests / s" },
              color: {
                field: "series",
                type: "nominal",
                title: null,
                scale: { domain: names, range: [COLORS.requests, COLORS.requestsMean] },
              },
            },
          },
          ...limitLayers,
        ],
      },
    ],
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec;
}

function alarmChart(segments: AlarmSegment[], axis: TimeAxis, minutes: number): TopLevelSpec {
  const alarms = [...new Set(segments.map((s) => s.alarm))];
  const states = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
  return {
    width: WIDTH,
    height: { step: 28 },
    config,
    data: {
      values: segments.map((s) => ({
        alarm: s.alarm,
        state: s.state,
        start: s.startMinute * axis.perMinute,
        end: Math.min(s.endMinute, minutes) * axis.perMinute,
      })),
    },
    mark: { type: "rect", cornerRadius: 2 },
    encoding: {
      x: { ...xEncoding(axis), field: "start" },
      x2: { field: "end" },
      y: { field: "alarm", type: "nominal", title: null, scale: { domain: alarms, paddingInner: 0.25 } },
      color: {
        field: "state",
        type: "nominal",
        title: null,
        scale: { domain: [...states], range: states.map((s) => COLORS[s]) },
      },
    },
  };
}

function latencyChart(campaigns: readonly CampaignSummary[]): TopLevelSpec {
  const percentiles = ["p50", "p95", "p99"] as const;
  const values = campaigns.flatMap((c) =>
    percentiles.map((p) => ({ campaign: c.name, percentile: p, seconds: c.latencySeconds[p] })),
  );
  return {
    width: WIDTH - 180,
    height: { step: 10 },
    config,
    data: { values },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      y: { field: "campaign", type: "nominal", title: null, sort: campaigns.map((c) => c.name) },
      yOffset: { field: "percentile", type: "nominal", sort: [...percentiles] },
      x: { field: "seconds", type: "quantitative", title: "seconds" },
      color: {
        field: "percentile",
        type: "nominal",
        title: null,
        scale: { domain: [...percentiles], range: ["#93c5fd", "#3b82f6", "#1e3a8a"] },
      },
    },
  };
}

/**
 * A campaign's drain at its window's step (report.html's campaign sections): the queue, the
 * carrier's accepted requests per second against its limit with the 429s, Lambda's concurrency
 * with its throttles, and the DLQ. Long windows keep each bucket's maximum, as the month view does.
 */
export async function renderCampaignCharts(window: CampaignWindow, id: string): Promise<Chart[]> {
  const steps = window.queueVisible.length;
  if (steps === 0) return [];
  const seconds = steps * window.stepSeconds;
  const perMinute =
    seconds <= 600
      ? window.stepSeconds
      : seconds <= 3 * 3600
        ? window.stepSeconds / 60
        : window.stepSeconds / 3600;
  const unit = seconds <= 600 ? "seconds" : seconds <= 3 * 3600 ? "minutes" : "hours";
  const axis: TimeAxis = { unit, perMinute, end: steps * perMinute, origin: "since the enqueue" };
  const asTimeline: RunTimeline = {
    ...createRunTimeline(steps, window.carrierLimitPerSecond),
    queueVisible: window.queueVisible,
    queueInFlight: window.queueInFlight,
    dlqDepth: window.dlqDepth,
    carrierRequestsPerSecond: window.carrierRequestsPerSecond,
    carrierRequestsPerSecondMax: window.carrierRequestsPerSecond,
    carrierRateLimited: window.carrierRateLimited,
    lambdaConcurrencyMax: window.lambdaConcurrencyMax,
  };
  const data = downsampleTimeline(asTimeline, MAX_POINTS_PER_WINDOW);
  const throttles = data.minute.map((start) =>
    Math.max(...window.lambdaThrottles.slice(start, start + data.bucketMinutes)),
  );
  const step = `${formatCount(window.stepSeconds * data.bucketMinutes)} s`;
  const lambdaRows = rows(data, axis, { concurrency: "lambdaConcurrencyMax" }).map((row, i) => ({
    ...row,
    throttles: throttles[i] ?? 0,
  }));
  const specs: (Omit<Chart, "svg"> & { spec: TopLevelSpec })[] = [
    {
      id: `${id}-queue`,
      title: "Source queue",
      caption: `Messages visible and in flight, every ${step}.`,
      spec: series(
        rows(data, axis, { visible: "queueVisible", "in flight": "queueInFlight" }),
        axis,
        "messages",
        {
          visible: COLORS.visible,
          "in flight": COLORS.inFlight,
        },
      ),
    },
    {
      id: `${id}-carrier`,
      title: "Carrier requests per second",
      caption:
        `Accepted requests per second (each point: the highest over ${step})` +
        (window.carrierLimitPerSecond === null ? "; no limit" : ", against the limit (dashed)") +
        `; red bars are 429 answers per ${step} (right axis).`,
      spec: carrierChart(data, axis, window.carrierLimitPerSecond, `429s / ${step}`),
    },
    {
      id: `${id}-lambda`,
      title: "Lambda concurrency and throttles",
      caption: `Most concurrent invocations, and throttled invocations, per ${step}.`,
      spec: series(lambdaRows, axis, "invocations", {
        concurrency: COLORS.concurrency,
        throttles: COLORS.rateLimited,
      }),
    },
    {
      id: `${id}-dlq`,
      title: "DLQ depth",
      caption: `Messages in the dead-letter queue, every ${step}.`,
      spec: single(rows(data, axis, { dlq: "dlqDepth" }), axis, "dlq", "messages", "area", COLORS.dlq),
    },
  ];
  const charts: Chart[] = [];
  for (const { spec, ...chart } of specs) charts.push({ ...chart, svg: await renderSvg(spec) });
  return charts;
}
