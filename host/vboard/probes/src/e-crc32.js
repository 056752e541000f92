// E.CRC32 over strings, arrays and typed arrays (the byte walk of E.toUint8Array).
log('empty string', E.CRC32(''));
log('"123456789"', E.CRC32('123456789'));
log('binary string', E.CRC32('\x00\xff\x80abc'));
log('array', E.CRC32([49, 50, 51]));
log('Uint8Array', E.CRC32(new Uint8Array([49, 50, 51])));
log('ArrayBuffer', E.CRC32(new Uint8Array([49, 50, 51]).buffer));
log('subarray', E.CRC32(new Uint8Array([0, 49, 50, 51, 0]).subarray(1, 4)));
var big = new Uint8Array(1000);
for (var i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
log('1000 bytes', E.CRC32(big));
log('type, sign', typeof E.CRC32('a'), E.CRC32('a') >= 0, E.CRC32('a') === (E.CRC32('a') >>> 0));
end();
