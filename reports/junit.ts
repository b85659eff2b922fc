import type { ThresholdResult } from "./summary";

export interface JUnitOptions {
  suiteName?: string;
  /** When the run ended; CI tools show it. */
  timestampMs?: number;
  /** Run length, reported as the suite's time. */
  durationSeconds?: number;
}

/** One testsuite, one testcase per threshold expression (classname = metric key), failures carry the value. */
export function thresholdsToJUnit(results: readonly ThresholdResult[], options: JUnitOptions = {}): string {
  const failures = results.filter((r) => !r.ok).length;
  const attributes = [
    `name="${escapeXml(options.suiteName ?? "smsim thresholds")}"`,
    `tests="${results.length}"`,
    `failures="${failures}"`,
    `errors="0"`,
    `skipped="0"`,
    `time="${options.durationSeconds ?? 0}"`,
  ];
  if (options.timestampMs !== undefined) {
    attributes.push(`timestamp="${new Date(options.timestampMs).toISOString().slice(0, 19)}"`);
  }
  const cases = results.map((result) => {
    const open = `  <testcase classname="${escapeXml(result.metric)}" name="${escapeXml(result.expression)}" time="0"`;
    if (result.ok) return `${open}/>`;
    const measured = `measured ${result.value ?? "nothing"}${result.noSamples ? ", no samples" : ""}`;
    const message = escapeXml(`${result.metric}: ${result.expression} failed (${measured})`);
    return `${open}>\n    <failure message="${message}" type="threshold">${message}</failure>\n  </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuite ${attributes.join(" ")}>`,
    ...cases,
    `</testsuite>`,
    "",
  ].join("\n");
}

/**
 * Escapes markup characters (and line breaks, which attributes would otherwise fold into spaces)
 * and replaces what XML 1.0 forbids (control characters, lone surrogates) with U+FFFD.
 */
export function escapeXml(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    out += allowed ? (ENTITIES[char] ?? char) : "\uFFFD";
  }
  return out;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};
