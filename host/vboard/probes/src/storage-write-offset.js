// Storage.write(name, data, offset, size): the file is created with its total size at the first
// chunk and filled by later chunks (how espruino-tools uploads a file).
var S = require('Storage');
log('first chunk', S.write('up', 'AB', 0, 6));
log('read while incomplete', S.read('up'));
log('second chunk', S.write('up', 'CD', 2));
log('third chunk', S.write('up', 'EF', 4));
log('complete', S.read('up'), S.read('up').length);
S.write('up2', new Uint8Array([1, 2]), 0, 4);
S.write('up2', new Uint8Array([3, 4]), 2);
log('binary chunks', S.readArrayBuffer('up2'));
S.write('up3', 'x\x00', 0, 5);
S.write('up3', '\x00y', 2);
log('chunks holding \\0', S.read('up3'));
log('list', S.list().sort());
log('the same whole file again', S.write('up', 'ABCDEF', 0, 6), S.read('up'));
log('a new first chunk of the same size', S.write('up', 'XY', 0, 6), S.read('up'));
S.write('up', 'whole', 0, 5);
log('a new upload of another size', S.read('up'));
attempt('chunk past the size', function () { return S.write('up', 'zz', 4); });
attempt('chunk over written bytes', function () { return S.write('up', 'h', 0 + 1); });
log('after them', S.read('up'));
attempt('first chunk larger than the size', function () { return S.write('small', 'abc', 0, 2); });
log('the file was created', S.read('small'));
attempt('chunk of a file that does not exist', function () { return S.write('none', 'abc', 2); });
log('size without offset', S.write('so', 'abc', undefined, 5), S.read('so'));
log('empty first chunk', S.write('e', '', 0, 3), S.read('e'));
log('negative offset', S.write('neg', 'a', -1, 3), S.read('neg'));
end();
