// measured.md item 7: var is not hoisted on Espruino; an assignment before the var statement
// writes the enclosing scope's variable.
var h = 1;
var r = (function () { h = 7; return h; var h; })();
log('returned', r);
log('outer h', h);
var g = 2;
var r2 = (function () { var before = typeof g; var g = 'local'; return before; })();
log('typeof before the local var', r2);
end();
