// measured.md item 2: set() from a Float64Array/Float32Array into an integer typed array converts
// each value differently from element assignment and from set() of a plain Array.
var vals = [255, 256, 300, -1, -5, 65535, 65536, 2147483647, 2147483648, -2147483648, -2147483649,
  4294967295, 4294967296, 4294967301, 1e15, -1e15, 1.5, -1.5, 2.7, -2.7, NaN, Infinity, -Infinity];
var types = [['Uint8Array', Uint8Array], ['Int8Array', Int8Array], ['Uint16Array', Uint16Array], ['Int16Array', Int16Array],
  ['Uint32Array', Uint32Array], ['Int32Array', Int32Array]];
for (var t = 0; t < types.length; t++) {
  var T = types[t][1];
  var fromF64 = new T(vals.length);
  fromF64.set(new Float64Array(vals));
  var fromArray = new T(vals.length);
  fromArray.set(vals);
  var assigned = new T(vals.length);
  for (var i = 0; i < vals.length; i++) assigned[i] = vals[i];
  log(types[t][0] + '.set(Float64Array)', fromF64);
  log(types[t][0] + '.set(Array)', fromArray);
  log(types[t][0] + '[i] = v', assigned);
}
var f32 = new Float32Array([300, -1.5, 3e9, 1e20]);
var u8 = new Uint8Array(4);
u8.set(f32);
log('Uint8Array.set(Float32Array)', u8);
var i32 = new Int32Array(4);
i32.set(f32);
log('Int32Array.set(Float32Array)', i32);
var sub = new Uint8Array(3);
sub.set(new Float64Array([1, 2, 3, 300, 4294967301]).subarray(2, 5));
log('set(Float64Array view)', sub);
end();
