// Request and response headers. The header version follows from the API key
// and version alone (flexible body versions use request header v2 and response
// header v1), so a header can be decoded before, or without, its body.

import { ApiKey } from './api-keys.js';
import { apiMessages } from './messages/index.js';
import { type Reader, Writer } from './primitives.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Absent (null) in header v0; always a classic nullable string, even in header v2. */
  clientId: string | null;
}

export interface ResponseHeader {
  correlationId: number;
}

/**
 * 0, 1 or 2. Versions above an API's maximum count as flexible when its flexible range is open-ended
 * (so an unknown-high ApiVersions request is read with header v2); unknown API keys get v1, enough
 * to read the key, version and correlation id before the connection is closed.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 | 2 {
  // ControlledShutdown v0 predates client ids: the only request with header v0.
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return apiMessages.get(apiKey)?.request.flexible(apiVersion) ? 2 : 1;
}

/** 0 or 1. ApiVersions answers always use v0, so a client can read them whatever version it sent. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return apiMessages.get(apiKey)?.response.flexible(apiVersion) ? 1 : 0;
}

/** Reads a request header, leaving `r` at the start of the body. */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? r.nullableString() : null;
  if (headerVersion >= 2) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(w: Writer, header: RequestHeader): void {
  w.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId);
  const headerVersion = requestHeaderVersion(header.apiKey, header.apiVersion);
  if (headerVersion >= 1) w.nullableString(header.clientId);
  if (headerVersion >= 2) w.uvarint(0);
}

/** A whole request frame, size prefix included, as chunks for the socket; `body` in its API's encoding (known to apiMessages). */
export function encodeRequestFrame(header: RequestHeader, body: unknown): Buffer[] {
  const w = new Writer(512);
  w.int32(0); // frame size, patched below
  encodeRequestHeader(w, header);
  apiMessages.get(header.apiKey)!.request.encode(w, header.apiVersion, body as never);
  const chunks = w.chunksOut();
  chunks[0].writeInt32BE(w.length - 4, 0);
  return chunks;
}

/** Reads the header of the response to a request with this key and version, leaving `r` at the body. */
export function decodeResponseHeader(r: Reader, apiKey: number, apiVersion: number): ResponseHeader {
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) r.taggedFields();
  return { correlationId };
}

/** Writes the header of the response to `request`. */
export function encodeResponseHeader(w: Writer, request: Omit<RequestHeader, 'clientId'>): void {
  w.int32(request.correlationId);
  if (responseHeaderVersion(request.apiKey, request.apiVersion) >= 1) w.uvarint(0);
}
