// Control records, the one record of a control batch. The key is Kafka's
// ControlRecordType: int16 version 0 and int16 type, 0 ABORT and 1 COMMIT for
// transaction markers (KRaft uses higher types). A transaction marker's value
// is Kafka's EndTransactionMarker: int16 version 0 and int32 coordinator epoch.
// Newer versions of either are read as version 0, as Kafka does.
import { RecordErrorCode, RecordsError } from './errors.js';

export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;

const KEY_SIZE = 4;
const MARKER_VALUE_SIZE = 6;
const CURRENT_VERSION = 0;

/** A COMMIT or ABORT marker. */
export interface EndTxnMarker {
  commit: boolean;
  coordinatorEpoch: number;
}

/** The key of a transaction marker's control record. */
export function endTxnMarkerKey(commit: boolean): Buffer {
  const key = Buffer.alloc(KEY_SIZE);
  key.writeInt16BE(CURRENT_VERSION, 0);
  key.writeInt16BE(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2);
  return key;
}

/** The value of a transaction marker's control record. */
export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(MARKER_VALUE_SIZE);
  value.writeInt16BE(CURRENT_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The type id in a control record's key (Kafka's ControlRecordType.parseTypeId). */
export function controlRecordType(key: Buffer | null): number {
  if (key === null || key.length < KEY_SIZE) {
    throw new RecordsError(
      RecordErrorCode.INVALID_RECORD,
      `Invalid value size found for end control record key. Must have at least ${KEY_SIZE} bytes, but found only ${key?.length ?? 0}`,
    );
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new RecordsError(RecordErrorCode.INVALID_RECORD, `Invalid version found for control record: ${version}. May indicate data corruption`);
  return key.readInt16BE(2);
}

/** A transaction marker's key and value (Kafka's EndTransactionMarker.deserialize); throws RecordsError for anything else. */
export function parseEndTxnMarker(key: Buffer | null, value: Buffer | null): EndTxnMarker {
  const type = controlRecordType(key);
  if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) {
    throw new RecordsError(RecordErrorCode.INVALID_RECORD, `Invalid control record type for end transaction marker: ${type}`);
  }
  if (value === null || value.length < MARKER_VALUE_SIZE) {
    throw new RecordsError(
      RecordErrorCode.INVALID_RECORD,
      `Invalid value size found for end transaction marker. Must have at least ${MARKER_VALUE_SIZE} bytes, but found only ${value?.length ?? 0}`,
    );
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new RecordsError(RecordErrorCode.INVALID_RECORD, `Invalid version found for end transaction marker: ${version}. May indicate data corruption`);
  return { commit: type === ControlRecordType.COMMIT, coordinatorEpoch: value.readInt32BE(2) };
}
