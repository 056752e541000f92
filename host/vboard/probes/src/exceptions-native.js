// Errors the runtime itself throws: their class and message are the engine's own.
function caught(f) { try { f(); } catch (e) { return e; } return 'nothing thrown'; }
var cases = [
  ['undeclared name', function () { return undeclaredName; }],
  ['member of null', function () { return null.x; }],
  ['call of undefined', function () { (void 0)(); }],
  ['call of a missing method', function () { ({}).f(); }],
  ['const reassignment', function () { const k = 1; k = 2; }],
  ['bad typed-array length', function () { return new Uint8Array(-1); }],
  ['JSON.parse', function () { return JSON.parse('{'); }],
  ['E.toUint8Array(undefined)', function () { return E.toUint8Array(undefined); }],
];
for (var i = 0; i < cases.length; i++) {
  var e = caught(cases[i][1]);
  log(cases[i][0], e.type, e instanceof Error, e instanceof TypeError, e instanceof ReferenceError, e.message);
}
end();
