/**
 * The ≥25% rule of the create-mailboxes step (DESIGN.md creating_mailboxes): when a quarter or more of
 * the account creations fail, the step fails and an alert asks a person — something systematic is
 * wrong (licences, permissions, a naming rule). Below that, the step succeeds and the failed pairs are
 * reported one by one (they get no passes until their account is ready).
 */

/** The failure share at or above which the step fails. */
export const CREATION_FAILURE_THRESHOLD = 0.25;

/** The verdict on one run of account creations. */
export interface CreationVerdict {
  readonly attempted: number;
  readonly failed: number;
  /** failed / attempted (0 when nothing was attempted). */
  readonly failureRate: number;
  readonly stepFails: boolean;
}

/** Applies the rule; integer arithmetic, so exactly 25% fails (1 of 4, 25 of 100) and 24.99% does not. */
export function judgeCreations(attempted: number, failed: number): CreationVerdict {
  if (!Number.isInteger(attempted) || !Number.isInteger(failed) || attempted < 0 || failed < 0 || failed > attempted) {
    throw new RangeError(`judgeCreations: invalid counts ${failed}/${attempted}`);
  }
  return { attempted, failed, failureRate: attempted === 0 ? 0 : failed / attempted, stepFails: attempted > 0 && failed * 4 >= attempted };
}
