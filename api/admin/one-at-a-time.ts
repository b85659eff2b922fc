/** Runs the tasks given to it one after another, in call order; a failure does not stop the next. */
export function oneAtATime(): <T>(run: () => Promise<T>) => Promise<T> {
  let turn: Promise<unknown> = Promise.resolve();
  return (run) => {
    const next = turn.then(run, run);
    turn = next.catch(() => {});
    return next;
  };
}
