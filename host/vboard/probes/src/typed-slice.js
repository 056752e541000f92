// measured.md item 8: a typed array's slice() is a plain Array on Espruino.
var u = new Uint8Array([1, 2, 3, 4]);
var s = u.slice(1, 3);
log('slice(1,3)', s);
log('instanceof Uint8Array', s instanceof Uint8Array);
log('Array.isArray', Array.isArray(s));
log('byteOffset', s.byteOffset);
log('slice()', u.slice());
log('slice(-2)', u.slice(-2));
log('slice(1,-1)', u.slice(1, -1));
log('slice(3,1)', u.slice(3, 1));
log('slice(9)', u.slice(9));
s[0] = 99;
log('source after writing the slice', u);
log('Int8Array slice', new Int8Array([-1, 5, -128]).slice(1));
log('Uint32Array slice', new Uint32Array([4294967295, 7]).slice(0, 1));
log('Float64Array slice', new Float64Array([1.5, -2, 3]).slice(0, 2));
log('slice of a subarray', u.subarray(1, 4).slice(1));
end();
