// var/let/const and closures, in the shapes both runtimes run alike (measured.md items 6 and 7
// have their own probes: for-let-closure, var-hoisting).
var fs = [];
for (var i = 0; i < 3; i++) fs.push(function () { return i; });
log('closures over a for-var', fs[0](), fs[1](), fs[2]());
fs = [];
for (var j = 0; j < 3; j++) (function (k) { fs.push(function () { return k; }); })(j);
log('closures over an IIFE argument', fs[0](), fs[1](), fs[2]());
fs = [];
[0, 1, 2].forEach(function (k) { fs.push(function () { return k * 10; }); });
log('closures over a forEach argument', fs[0](), fs[1](), fs[2]());
var a = 1;
{
  let a = 2;
  log('let in a block', a);
}
log('after the block', a);
if (true) { const c = 3; log('const in a block', c); }
log('const outside its block', typeof c);
const k = 5;
var threw = false;
try { k = 6; } catch (e) { threw = true; }
log('const reassignment throws', threw);
log('const kept', k);
var counter = (function () { var n = 0; return function () { return ++n; }; })();
counter(); counter();
log('counter closure', counter());
function outer() { var x = 'outer'; function inner() { return x; } x = 'changed'; return inner(); }
log('closure sees later assignment', outer());
var declaredLater = function () { return laterFn(); };
function laterFn() { return 'function declarations are hoisted'; }
log('function hoisting', declaredLater());
let sum = 0;
for (let n = 0; n < 4; n++) sum += n;
log('for-let without closures', sum);
var arrow = (x, y) => x * y;
log('arrow', arrow(6, 7));
var self = { v: 9, get: function () { return (() => this.v)(); } };
log('arrow this', self.get());
end();
