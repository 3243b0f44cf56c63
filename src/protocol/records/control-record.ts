// The key of a control record (Kafka's ControlRecordType): int16 version 0
// and int16 type, 0 ABORT and 1 COMMIT for transaction markers (KRaft uses
// higher types).
import { RecordErrorCode, RecordsError } from './errors.js';

export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;

const KEY_SIZE = 4;

/** The type id in a control record's key; a newer key version is read as version 0, as Kafka does. */
export function controlRecordType(key: Buffer | null): number {
  if (key === null || key.length < KEY_SIZE) {
    throw new RecordsError(RecordErrorCode.INVALID_RECORD, `control record key has ${key?.length ?? 0} bytes, needs at least ${KEY_SIZE}`);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new RecordsError(RecordErrorCode.INVALID_RECORD, `control record key version ${version}`);
  return key.readInt16BE(2);
}
