import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiKey } from '../../src/protocol/api-keys.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type RequestHeader,
} from '../../src/protocol/header.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';

test('header: versions follow the body flexible range', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
  assert.equal(requestHeaderVersion(ApiKey.DescribeCluster, 0), 2);
  assert.equal(requestHeaderVersion(ApiKey.OffsetDelete, 0), 1);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 8), 0);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 9), 1);
});

test('header: ApiVersions responses always use header v0; unknown-high versions are flexible', () => {
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 99), 2);
  for (const version of [0, 3, 4, 99]) assert.equal(responseHeaderVersion(ApiKey.ApiVersions, version), 0);
  assert.equal(requestHeaderVersion(ApiKey.Metadata, 99), 2);
});

test('header: ControlledShutdown v0 is the only header v0 request; unknown keys read as v1', () => {
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
  const r = new Reader(Buffer.from('03e80007' + '0000002a' + '0003616263' + 'ff', 'hex'));
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 1000, apiVersion: 7, correlationId: 42, clientId: 'abc' });
  assert.equal(r.remaining, 1);
});

test('header: request headers round trip and leave the reader at the body', () => {
  const cases: [RequestHeader, string][] = [
    [{ apiKey: ApiKey.Fetch, apiVersion: 11, correlationId: 5, clientId: 'c' }, '0001000b' + '00000005' + '000163'],
    [{ apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 5, clientId: null }, '0001000c' + '00000005' + 'ffff' + '00'],
    [{ apiKey: ApiKey.ControlledShutdown, apiVersion: 0, correlationId: 5, clientId: null }, '00070000' + '00000005'],
  ];
  for (const [header, hex] of cases) {
    const w = new Writer();
    encodeRequestHeader(w, header);
    assert.equal(w.toBuffer().toString('hex'), hex);
    const r = new Reader(Buffer.from(hex + 'beef', 'hex'));
    assert.deepEqual(decodeRequestHeader(r), header);
    assert.equal(r.remaining, 2);
  }
});

test('header: response headers carry a tagged section only in v1', () => {
  for (const [apiKey, apiVersion, hex] of [
    [ApiKey.Metadata, 9, '0000000700'],
    [ApiKey.Metadata, 8, '00000007'],
    [ApiKey.ApiVersions, 3, '00000007'],
  ] as const) {
    const w = new Writer();
    encodeResponseHeader(w, { apiKey, apiVersion, correlationId: 7 });
    assert.equal(w.toBuffer().toString('hex'), hex);
    const r = new Reader(Buffer.from(hex, 'hex'));
    assert.deepEqual(decodeResponseHeader(r, apiKey, apiVersion), { correlationId: 7 });
    assert.equal(r.remaining, 0);
  }
});
