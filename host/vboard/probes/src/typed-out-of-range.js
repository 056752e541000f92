// Indexes and views outside a typed array: Espruino throws on reading a negative index, and
// subarray() does not clamp its end, making a view past the buffer (reading 0 there).
var u = new Uint8Array([1, 2, 3, 4, 5, 6]);
attempt('u[-1]', function () { return u[-1]; });
attempt('subarray(4, 9)', function () { return u.subarray(4, 9); });
attempt('subarray(7, 9)', function () { return u.subarray(7, 9); });
end();
