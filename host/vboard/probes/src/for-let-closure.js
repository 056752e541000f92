// measured.md item 6: `for (let ...)` makes no fresh binding per iteration on Espruino.
var fs = [];
for (let i = 0; i < 3; i++) fs.push(function () { return i; });
log('closures over a for-let', fs[0](), fs[1](), fs[2]());
end();
