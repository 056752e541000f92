// Shared prelude of every probe (host/vboard/probes/src/*.js), run on Espruino's interpreter and on
// the virtual board alike. Written in the subset both run the same way: var, plain functions, no
// number-to-string of non-integers (Espruino prints 12 significant digits and its own exponent
// forms; see the number-float probe), so that a line differs only where the runtimes do.
//   log(label, v...)  one output line: the label and each value described by show()
//   end()             prints BEGIN, the lines, END in one print (no prompt redraw in between)
var lines = [];
var hexDigits = '0123456789abcdef';
function hex8(b) { return hexDigits.charAt((b >> 4) & 15) + hexDigits.charAt(b & 15); }
function num(v) {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0 && 1 / v < 0) return '-0';
  if (v === Math.floor(v) && v <= 9007199254740992 && v >= -9007199254740992) return String(v);
  // Any other double by its IEEE 754 bits, big-endian hex: exact on both runtimes.
  var b = new Uint8Array(new Float64Array([v]).buffer);
  var s = 'f64:';
  for (var i = 7; i >= 0; i--) s += hex8(b[i]);
  return s;
}
function str(s) {
  var out = '"';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c === 34 || c === 92) out += '\\' + s.charAt(i);
    else if (c >= 32 && c < 127) out += s.charAt(i);
    else if (c < 256) out += '\\x' + hex8(c);
    else out += '\\u' + hex8(c >> 8) + hex8(c & 255);
  }
  return out + '"';
}
var typedArrays = [['Uint8Array', Uint8Array], ['Int8Array', Int8Array], ['Uint8ClampedArray', Uint8ClampedArray],
  ['Uint16Array', Uint16Array], ['Int16Array', Int16Array], ['Uint32Array', Uint32Array], ['Int32Array', Int32Array],
  ['Float32Array', Float32Array], ['Float64Array', Float64Array]];
function typedName(v) {
  for (var i = 0; i < typedArrays.length; i++) if (v instanceof typedArrays[i][1]) return typedArrays[i][0];
  return undefined;
}
function elems(v) {
  var parts = [];
  for (var i = 0; i < v.length; i++) parts.push(typeof v[i] === 'number' ? num(v[i]) : show(v[i]));
  return parts.join(',');
}
function show(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  var t = typeof v;
  if (t === 'number') return 'number:' + num(v);
  if (t === 'boolean') return 'boolean:' + v;
  if (t === 'string') return 'string:' + str(v);
  if (t === 'function') return 'function';
  if (Array.isArray(v)) return 'Array[' + elems(v) + ']';
  var ta = typedName(v);
  if (ta) return ta + '[' + elems(v) + ']';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer(' + v.byteLength + ')[' + elems(new Uint8Array(v)) + ']';
  var keys = Object.keys(v);
  var parts = [];
  // A stack trace is source positions, which the two runtimes number differently: only its type counts.
  for (var k = 0; k < keys.length; k++) parts.push(keys[k] + ':' + (keys[k] === 'stack' ? typeof v.stack : show(v[keys[k]])));
  return t + '{' + parts.join(',') + '}';
}
function log(label) {
  var parts = [label];
  for (var i = 1; i < arguments.length; i++) parts.push(show(arguments[i]));
  lines.push(parts.join(' '));
}
/** Runs f and logs what it returns, or what it throws (as "throws <value>"). */
function attempt(label, f) {
  try { log(label, f()); } catch (e) { log(label + ' throws', e); }
}
function end() {
  print('BEGIN\n' + lines.join('\n') + (lines.length ? '\n' : '') + 'END');
}
