// E.convolve(a, b, offset) = sum over i of a[i] * b[(i + offset) mod b.length], b wrapping.
var C = E.convolve;
log('offset 0', C([1, 2, 3], [4, 5, 6], 0));
log('offset 1', C([1, 2, 3], [4, 5, 6], 1));
log('offset 2', C([1, 2, 3], [4, 5, 6], 2));
log('offset = length', C([1, 2, 3], [4, 5, 6], 3));
log('offset 7', C([1, 2, 3], [4, 5, 6], 7));
log('offset -1', C([1, 2, 3], [4, 5, 6], -1));
log('offset -4', C([1, 2, 3], [4, 5, 6], -4));
log('offset omitted', C([1, 2, 3], [4, 5, 6]));
log('offset 1.7', C([1, 2, 3], [4, 5, 6], 1.7));
log('a longer than b', C([1, 2, 3, 4, 5], [10, 100], 1));
log('a shorter than b', C([1, 2], [10, 100, 1000, 10000], 3));
log('empty a', C([], [1, 2], 0));
log('typed arrays', C(new Float64Array([1.5, 2.5]), new Int32Array([-4, 8]), 1));
log('Uint8Array and Array', C(new Uint8Array([255, 1]), [2, 3], 0));
log('Int8Array', C(new Int8Array([-1, -2]), new Int8Array([3, 4]), 0));
// The firmware's field multiplication: 11 limbs of 24 bits against a 21-element reversed operand.
var a = new Float64Array(11);
var b = new Float64Array(21);
for (var i = 0; i < 11; i++) a[i] = 16777215 - i * 12345;
for (var j = 0; j < 21; j++) b[j] = j < 11 ? 1234567 * (j + 1) % 16777216 : 0;
var cols = [];
for (var k = 0; k < 21; k++) cols.push(C(a, b, k));
log('11x21 columns', cols);
log('exact above 2^53?', C([16777215, 16777215], [268435455, 268435455], 0));
end();
