// Real request/response frames captured between clients and Kafka 2.4.1
// (shared/reference/wire-corpus). For every exchange whose API and version we
// speak: decode header and body, require no trailing bytes, re-encode, and
// require the very same bytes. Other exchanges must still yield their header.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ApiKey, apiKeyName } from '../../src/protocol/api-keys.js';
import type { MessageCodec } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type RequestHeader,
} from '../../src/protocol/header.js';
import { apiMessages, type ApiDefinition } from '../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';

// From dist/test/protocol/ up to the directory holding main/ and shared/.
const corpusDir = new URL('../../../../shared/reference/wire-corpus/', import.meta.url);

interface Exchange {
  client: string;
  api_key: number;
  api_name: string;
  api_version: number;
  request_header_version: number;
  response_header_version: number | null;
  request_hex: string;
  response_hex: string | null;
  note: string;
}

const files = readdirSync(corpusDir).filter((f) => f.endsWith('.jsonl')).sort();
let roundTrips = 0;

for (const file of files) {
  const exchanges = readFileSync(new URL(file, corpusDir), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Exchange);

  test(`wire corpus: ${file}`, async (t) => {
    for (const [i, e] of exchanges.entries()) {
      await t.test(`#${i} ${e.api_name} v${e.api_version}: ${e.note.slice(0, 60)}`, () => checkExchange(e));
    }
  });
}

test('wire corpus: enough exchanges were round-tripped', () => {
  // Guards against the loop above silently skipping everything (e.g. a registry mistake).
  assert.ok(roundTrips >= 658, `only ${roundTrips} requests and responses were round-tripped`);
});

function checkExchange(e: Exchange): void {
  const request = new Reader(Buffer.from(e.request_hex, 'hex'));
  const header = decodeRequestHeader(request);
  assert.equal(header.apiKey, e.api_key);
  assert.equal(header.apiVersion, e.api_version);
  assert.equal(apiKeyName(e.api_key), e.api_name);

  const api = apiMessages.get(e.api_key);
  // For APIs we do not implement we cannot know which versions are flexible (header v2).
  if (api || e.request_header_version < 2) {
    assert.equal(requestHeaderVersion(e.api_key, e.api_version), e.request_header_version, 'request header version');
  }
  if (api && e.response_header_version !== null) {
    assert.equal(responseHeaderVersion(e.api_key, e.api_version), e.response_header_version, 'response header version');
  }
  if (!api) return;

  if (speaks(api, e.api_version)) {
    const encoded = new Writer();
    encodeRequestHeader(encoded, header);
    roundTripBody(api.request, request, encoded, e.api_version);
    assert.equal(encoded.toBuffer().toString('hex'), e.request_hex, 'request bytes');
    roundTrips++;
  }
  if (e.response_hex !== null) checkResponse(api, header, e.response_hex);
}

function checkResponse(api: ApiDefinition, header: RequestHeader, responseHex: string): void {
  const response = new Reader(Buffer.from(responseHex, 'hex'));
  const { correlationId } = decodeResponseHeader(response, header.apiKey, header.apiVersion);
  assert.equal(correlationId, header.correlationId);
  // A broker answers an ApiVersions version it does not know with a v0 body (error 35).
  const version =
    header.apiKey === ApiKey.ApiVersions && response.buf.readInt16BE(response.offset) === ErrorCode.UNSUPPORTED_VERSION
      ? 0
      : header.apiVersion;
  if (!speaks(api, version)) return;
  const encoded = new Writer();
  encodeResponseHeader(encoded, header);
  roundTripBody(api.response, response, encoded, version);
  assert.equal(encoded.toBuffer().toString('hex'), responseHex, 'response bytes');
  roundTrips++;
}

/** Decodes the rest of `r` as a body and appends its re-encoding to `w`. */
function roundTripBody(codec: MessageCodec<unknown>, r: Reader, w: Writer, version: number): void {
  const body = codec.decode(r, version);
  assert.equal(r.remaining, 0, 'trailing bytes after the body');
  codec.encode(w, version, body);
}

function speaks(api: ApiDefinition, version: number): boolean {
  return version >= api.minVersion && version <= api.maxVersion;
}
