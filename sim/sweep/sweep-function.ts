import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SweepPointError } from "./errors";
import { type PointJob, type PointOutcome, runPointJob } from "./point-job";

/** What `smsim sweep --on lambda` sends SweepFunction: a point, and the template it runs on. */
export interface SweepEvent {
  job: PointJob;
  /** infra/template.yaml's text (or the scenario's own template): the function has no copy of it. */
  templateYaml: string;
}

/**
 * SweepFunction's handler (Handler: index.handler of dist/lambda/sweep.zip): runs one point of a
 * sweep on the virtual engine, as a local worker does, and answers its summary.
 */
export async function handler(event: SweepEvent): Promise<PointOutcome> {
  if (typeof event?.templateYaml !== "string" || typeof event.job?.input !== "object") {
    throw new SweepPointError("-", "the event needs job.input and templateYaml");
  }
  const template = await templateFile(event.templateYaml);
  const input = { ...event.job.input, infra: { ...event.job.input.infra, template } };
  return runPointJob({ ...event.job, input, sourcePath: null });
}

/** The template in /tmp, named by its hash: written once per warm environment. */
async function templateFile(yaml: string): Promise<string> {
  const path = join(
    tmpdir(),
    `smsim-template-${createHash("sha256").update(yaml).digest("hex").slice(0, 16)}.yaml`,
  );
  await writeFile(path, yaml);
  return path;
}
