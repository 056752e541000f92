// Integers to strings, as the firmware formats them (bytes in hex, counters).
var ints = [0, 7, -7, 255, 65535, 2147483647, 2147483648, -2147483649, 4294967295, 4294967296, 9007199254740991];
var out = [];
for (var i = 0; i < ints.length; i++) out.push(String(ints[i]) + '/' + ints[i].toString(16) + '/' + ('' + ints[i]));
log('String, toString(16), concatenation', out);
log('bytes in hex', [0, 15, 16, 255].map(function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''));
log('toString(2), toString(36)', (10).toString(2), (35).toString(36));
log('parseInt', parseInt('ff', 16), parseInt('12abc'), parseInt('x'));
log('bitwise on doubles', (4503599627370495 & 0xffffff), (-4503599627370495 & 0xffffff), (1099511627776 | 0), (2147483648 >>> 0), (-1 >>> 0), (2147483648 >> 0));
log('integer division', Math.floor(4503599627370495 / 16777216), 4503599627370495 % 16777216);
end();
