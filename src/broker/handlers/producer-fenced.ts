// PRODUCER_FENCED (KIP-588) is only sent to clients whose request version
// knows it; older ones get INVALID_PRODUCER_EPOCH, which they handle the same way.
import { ErrorCode } from '../../protocol/errors.js';

/** The error to send at `version` when PRODUCER_FENCED arrived with `firstVersion` of the API. */
export function fencedErrorFor(errorCode: number, version: number, firstVersion: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < firstVersion ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
