import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PipelineStack, startPipelineStack } from "../e2e/support/pipeline-stack";
import { drainThroughFault, expectEverySentOnce, FAST_REDELIVERY } from "./support/fault-campaign";
import { type PrivateMariaDb, startPrivateMariaDb } from "./support/private-mariadb";

describe("MariaDB killed mid-drain and restarted", () => {
  let mariadb: PrivateMariaDb;
  let stack: PipelineStack;

  beforeAll(async () => {
    // A server of this test's own: killing the machine's would fail everyone else's tests.
    mariadb = await startPrivateMariaDb();
    stack = await startPipelineStack({
      label: "fault_mariadb",
      mysqlServer: mariadb.server,
      overrides: FAST_REDELIVERY,
      carrier: { model: { latencyMs: { dist: "fixed", value: 5 } } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await mariadb?.stop();
  });

  it("loses no recipient and delivers none twice", async () => {
    // Prepare, Act: the database dies with a third recorded; the consumer keeps polling meanwhile
    const run = await drainThroughFault(stack, "mariadb-restart", () => mariadb.restart({ downMs: 3_000 }));

    // Assess: records failed while it was down, and came back
    expect(run.esm.recordsFailed).toBeGreaterThan(0);
    expectEverySentOnce(run.account);
  }, 180_000);
});
