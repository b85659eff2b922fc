import { type PointJob, runPointJob } from "./point-job";

/** Parent -> worker: a job; worker -> parent: its outcome or its error, by id. */
export interface WorkerRequest {
  id: number;
  job: PointJob;
}

process.on("message", async (message: WorkerRequest) => {
  try {
    const outcome = await runPointJob(message.job);
    process.send?.({ id: message.id, outcome });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.send?.({ id: message.id, error: reason });
  }
});
