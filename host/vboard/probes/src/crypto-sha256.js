// require("crypto").SHA256: an ArrayBuffer of 32 bytes.
var sha = require('crypto').SHA256;
function hex(ab) {
  var u = new Uint8Array(ab);
  var s = '';
  for (var i = 0; i < u.length; i++) s += hex8(u[i]);
  return s;
}
var d = sha('abc');
log('type', typeof d, d instanceof ArrayBuffer, d.byteLength);
log('"abc"', hex(d));
log('""', hex(sha('')));
log('Uint8Array "abc"', hex(sha(new Uint8Array([97, 98, 99]))));
log('binary string', hex(sha('\x00\xff\x00')));
log('448-bit message', hex(sha('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')));
var m = new Uint8Array(1000);
for (var i = 0; i < m.length; i++) m[i] = i & 255;
log('1000 bytes', hex(sha(m)));
log('subarray', hex(sha(new Uint8Array([0, 97, 98, 99, 0]).subarray(1, 4))));
log('array', hex(sha([97, 98, 99])));
end();
