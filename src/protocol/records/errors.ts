// Kafka error codes the record layer can produce, and the error that carries
// one, so a Produce/Fetch handler can put the code straight into its response.

export const RecordErrorCode = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

export type RecordErrorCode = (typeof RecordErrorCode)[keyof typeof RecordErrorCode];

export class RecordsError extends Error {
  override name = 'RecordsError';
  constructor(readonly code: RecordErrorCode, message: string) {
    super(message);
  }
}
