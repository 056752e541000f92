// E.toUint8Array: numbers are bytes, strings one byte per char, arrays and typed arrays element by
// element (nested too), {data, count} repeated, {callback} called; anything else throws.
var T = E.toUint8Array;
log('no arguments', T());
log('numbers', T(1, 255, 256, -1, 1.5, -1.5, 4294967301));
log('string', T('ab\x00\xff'));
log('empty string, empty array', T('', []));
log('array', T([1, 2, 300]));
log('nested arrays', T([1, [2, [3, 4]], 'x']));
log('typed arrays', T(new Uint8Array([9, 8]), new Int8Array([-1]), new Uint16Array([258])));
log('Float64Array elements', T(new Float64Array([1.5, 300.7, -1, 1e10])));
log('ArrayBuffer', T(new Uint8Array([5, 6, 7]).buffer));
log('subarray view', T(new Uint8Array([1, 2, 3, 4]).subarray(1, 3)));
log('{data, count}', T({ data: [1, 2], count: 3 }));
log('{data: string, count: 2}', T({ data: 'ab', count: 2 }));
log('{data, count: 0}', T({ data: 7, count: 0 }));
log('{callback}', T({ callback: function () { return [4, 5]; } }));
log('mixed arguments', T('a', [1], new Uint8Array([2]), 3, { data: 0, count: 2 }));
log('array of typed arrays', T([new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]));
log('booleans', T([true, false]));
log('result type', T([1]) instanceof Uint8Array, T([1]).length);
attempt('undefined', function () { return T(undefined); });
attempt('null', function () { return T(null); });
attempt('object without data', function () { return T({ a: 1 }); });
attempt('array holding undefined', function () { return T([1, undefined]); });
end();
