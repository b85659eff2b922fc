/**
 * Which users each send of a scenario addresses, in both engines: consecutive ids, wrapping to 1
 * when a send would run past the last user, so campaigns reach every user in turn.
 */
export function createUserRanges(usersCount: number): { next(recipients: number): number } {
  let nextUser = 0;
  return {
    /** The first user id of a send of `recipients` users (ids first..first + recipients - 1). */
    next(recipients) {
      const firstUserId = nextUser + recipients > usersCount ? 1 : nextUser + 1;
      nextUser = (firstUserId - 1 + recipients) % usersCount;
      return firstUserId;
    },
  };
}
