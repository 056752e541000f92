// Binary HTTP (RFC 9292) against the RFC's own examples (Section 5), and the strict decoder's
// refusals, each with its own error code.
import { describe, expect, it } from 'vitest';
import { BhttpError, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type BhttpErrorCode } from '../bhttp.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 9292 Figure 9: known-length encoding of the sample GET request.
const KNOWN_REQUEST = hex(`
  00034745 54056874 74707300 0a2f6865 6c6c6f2e 74787440 6c0a7573 65722d61
  67656e74 34637572 6c2f372e 31362e33 206c6962 6375726c 2f372e31 362e3320
  4f70656e 53534c2f 302e392e 376c207a 6c69622f 312e322e 3304686f 73740f77
  77772e65 78616d70 6c652e63 6f6d0f61 63636570 742d6c61 6e677561 67650665
  6e2c206d 690000`);
// RFC 9292 Figure 10: the same request, indeterminate-length, with 10 bytes of padding.
const INDETERMINATE_REQUEST = hex(`
  02034745 54056874 74707300 0a2f6865 6c6c6f2e 7478740a 75736572 2d616765
  6e743463 75726c2f 372e3136 2e33206c 69626375 726c2f37 2e31362e 33204f70
  656e5353 4c2f302e 392e376c 207a6c69 622f312e 322e3304 686f7374 0f777777
  2e657861 6d706c65 2e636f6d 0f616363 6570742d 6c616e67 75616765 06656e2c
  206d6900 00000000 00000000 00000000`);
// RFC 9292 Figure 12: known-length encoding of the chunked response (a trailer, no headers).
const KNOWN_RESPONSE = hex(`
  0140c800 1d546869 7320636f 6e74656e 7420636f 6e746169 6e732043 524c462e
  0d0a0d07 74726169 6c657204 74657874`);
// RFC 9458 Appendix A: the minimal request and response inside its Oblivious HTTP example.
const OHTTP_EXAMPLE_REQUEST = hex('00034745540568747470730b6578616d706c652e636f6d012f');
const OHTTP_EXAMPLE_RESPONSE = hex('0140c8');

const SAMPLE_REQUEST = {
  method: 'GET',
  scheme: 'https',
  authority: '',
  path: '/hello.txt',
  headers: [
    ['user-agent', 'curl/7.16.3 libcurl/7.16.3 OpenSSL/0.9.7l zlib/1.2.3'],
    ['host', 'www.example.com'],
    ['accept-language', 'en, mi'],
  ],
  content: new Uint8Array(0),
  trailers: [],
} as const;

function refused(f: () => unknown, code: BhttpErrorCode): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(BhttpError);
    expect((err as BhttpError).code).toBe(code);
    return;
  }
  throw new Error(`accepted; expected ${code}`);
}

describe('Binary HTTP, RFC 9292 examples', () => {
  it('decodes the known-length request (Figure 9) and its truncations to the sample request', () => {
    expect(decodeRequest(KNOWN_REQUEST)).toEqual(SAMPLE_REQUEST);
    // "the last two bytes -- corresponding to content and a trailer section -- can each be removed"
    expect(decodeRequest(KNOWN_REQUEST.subarray(0, -1))).toEqual(SAMPLE_REQUEST);
    expect(decodeRequest(KNOWN_REQUEST.subarray(0, -2))).toEqual(SAMPLE_REQUEST);
  });

  it('encodes the sample request as Figure 9 with the two empty trailing sections left off', () => {
    expect(toHex(encodeRequest(SAMPLE_REQUEST))).toBe(toHex(KNOWN_REQUEST.subarray(0, -2)));
  });

  it('decodes and re-encodes the known-length response (Figure 12) byte for byte', () => {
    const r = decodeResponse(KNOWN_RESPONSE);
    expect(r.status).toBe(200);
    expect(r.informational).toEqual([]);
    expect(r.headers).toEqual([]);
    expect(Buffer.from(r.content).toString()).toBe('This content contains CRLF.\r\n');
    expect(r.trailers).toEqual([['trailer', 'text']]);
    expect(toHex(encodeResponse(r))).toBe(toHex(KNOWN_RESPONSE));
  });

  it('round-trips the minimal request and response of RFC 9458 Appendix A byte for byte', () => {
    const req = decodeRequest(OHTTP_EXAMPLE_REQUEST);
    expect(req).toEqual({ method: 'GET', scheme: 'https', authority: 'example.com', path: '/', headers: [], content: new Uint8Array(0), trailers: [] });
    expect(toHex(encodeRequest(req))).toBe(toHex(OHTTP_EXAMPLE_REQUEST));
    const res = decodeResponse(OHTTP_EXAMPLE_RESPONSE);
    expect(res.status).toBe(200);
    expect(toHex(encodeResponse(res))).toBe(toHex(OHTTP_EXAMPLE_RESPONSE));
  });

  it('keeps informational responses, and accepts non-minimal integers and zero padding', () => {
    const r = { informational: [{ status: 103, headers: [['link', '</style.css>; rel=preload'] as const] }], status: 404, headers: [['content-type', 'application/json'] as const], content: new Uint8Array([1, 2]), trailers: [] };
    const bytes = encodeResponse(r);
    expect(decodeResponse(bytes)).toEqual(r);
    expect(decodeResponse(new Uint8Array([...bytes, 0, 0, 0]))).toEqual(r);
    // framing 1 as a 2-byte integer, status 200 as a 4-byte one
    expect(decodeResponse(hex('4001 800000c8')).status).toBe(200);
  });

  it('refuses the indeterminate-length form (Figure 10) with its own error', () => {
    refused(() => decodeRequest(INDETERMINATE_REQUEST), 'unsupported-framing');
    refused(() => decodeResponse(hex('03 40c8 00 00 00')), 'unsupported-framing');
  });
});

describe('Binary HTTP, strict decoder', () => {
  it('refuses a request where a response is expected and the reverse, and unknown framing', () => {
    refused(() => decodeResponse(KNOWN_REQUEST), 'bad-framing');
    refused(() => decodeRequest(KNOWN_RESPONSE), 'bad-framing');
    refused(() => decodeRequest(hex('04')), 'bad-framing');
  });

  it('refuses truncation anywhere but before a final section length', () => {
    refused(() => decodeRequest(new Uint8Array(0)), 'truncated');
    for (const cut of [1, 4, 10, 20]) refused(() => decodeRequest(KNOWN_REQUEST.subarray(0, cut)), 'truncated');
    refused(() => decodeRequest(KNOWN_REQUEST.subarray(0, 40)), 'truncated'); // inside the header section
    refused(() => decodeResponse(hex('01')), 'truncated');
    refused(() => decodeResponse(hex('01 4067')), 'truncated'); // informational without its header section
    refused(() => decodeResponse(hex('01 40c8 05 0102')), 'truncated'); // header section shorter than its length
  });

  it('refuses non-zero padding, bad status codes, pseudo-fields and invalid names or values', () => {
    refused(() => decodeRequest(new Uint8Array([...KNOWN_REQUEST, 0, 1])), 'bad-padding');
    refused(() => decodeResponse(hex('01 4063')), 'bad-status'); // 99
    refused(() => decodeResponse(hex('01 4258')), 'bad-status'); // 600
    const withField = (name: string, value: string) => {
      const n = Buffer.from(name, 'latin1');
      const v = Buffer.from(value, 'latin1');
      const section = Buffer.concat([Buffer.of(n.length), n, Buffer.of(v.length), v]);
      return new Uint8Array(Buffer.concat([hex('01 40c8'), Buffer.of(section.length), section]));
    };
    expect(decodeResponse(withField('x-ok', 'fine')).headers).toEqual([['x-ok', 'fine']]);
    refused(() => decodeResponse(withField(':status', '200')), 'bad-field');
    refused(() => decodeResponse(withField('Content-Type', 'x')), 'bad-field');
    refused(() => decodeResponse(withField('a b', 'x')), 'bad-field');
    refused(() => decodeResponse(withField('x', 'a\r\nb')), 'bad-field');
    refused(() => decodeResponse(withField('x', ' padded')), 'bad-field');
    refused(() => decodeResponse(hex('01 40c8 02 00 00')), 'bad-field'); // empty name
  });

  it('refuses invalid control data and an integer past 2^53', () => {
    refused(() => decodeRequest(hex('00 03474554 05687474707300 00')), 'bad-control-data'); // empty path
    refused(() => decodeRequest(hex('00 0347 2045 0568747470730001 2f')), 'bad-control-data'); // "G E" method
    refused(() => decodeResponse(hex('01 ffffffffffffffff')), 'too-large');
  });

  it('refuses to encode what it would refuse to decode', () => {
    expect(() => encodeRequest({ ...SAMPLE_REQUEST, headers: [['Bad Name', 'x']] })).toThrow(BhttpError);
    expect(() => encodeResponse({ informational: [], status: 99, headers: [], content: new Uint8Array(0), trailers: [] })).toThrow(BhttpError);
  });
});
