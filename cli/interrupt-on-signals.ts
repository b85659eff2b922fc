/** Exit codes a shell gives a process ended by these signals (128 + the signal's number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;

export interface Interruption {
  /** Aborts, with the signal's name as reason, on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** 130 or 143 once interrupted, else undefined. */
  exitCode(): number | undefined;
  /** Stops listening; call when the work is over. */
  dispose(): void;
}

/**
 * The first Ctrl-C or SIGTERM asks the work to stop cleanly (through `signal`); a second one ends
 * the process at once, leaving what the work had made to `smsim services prune`.
 */
export function interruptOnSignals(say: (line: string) => void): Interruption {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const onSignal = (name: StopSignal) => {
    if (received !== undefined) {
      say(`${name} again: quitting now; \`npx smsim services prune\` removes what the run leaves behind`);
      process.exit(EXIT_CODES[name]);
    }
    received = name;
    say(
      `${name}: stopping; in-flight work finishes and the run's database and queues are removed (again to quit now)`,
    );
    controller.abort(name);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : EXIT_CODES[received]),
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
