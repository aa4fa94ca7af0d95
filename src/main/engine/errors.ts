import type { ErrorCode } from '../../shared/contract.js';

/**
 * An error whose message is meant for the user, with the contract's error
 * code. The engine throws it; every transport passes code and message on
 * unchanged, where any other error is reported as `failed`.
 */
export class UserFacingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
