// try/catch/finally order, throwing non-Errors, and the Error objects a program makes: on Espruino
// they carry message, type and stack (no name), and TypeError & co. do not inherit from Error.
var order = [];
function f() {
  try { order.push('try'); throw new Error('boom'); }
  catch (e) { order.push('catch ' + e.message); return 'from catch'; }
  finally { order.push('finally'); }
}
log('return value', f());
log('order', order);
function g() { try { return 'try'; } finally { order.push('finally after return'); } }
log('try return', g(), order[order.length - 1]);
function h() { try { return 1; } finally { return 2; } }
log('finally return overrides a return', h());
function nested() {
  var o = [];
  try { try { throw new Error('inner'); } finally { o.push('inner finally'); } }
  catch (e) { o.push('outer catch ' + e.message); }
  return o;
}
log('nested', nested());
attempt('rethrow', function () { try { throw new TypeError('t'); } catch (e) { throw e; } });
var loop = [];
for (var n = 0; n < 3; n++) { try { if (n === 1) continue; loop.push(n); } finally { loop.push('f' + n); } }
log('continue through finally', loop);
var thrown = [42, 'text', undefined, null, { code: 7 }, [1, 2], true];
for (var i = 0; i < thrown.length; i++) {
  try { throw thrown[i]; } catch (e) { log('throw ' + i, e, typeof e, e instanceof Error); }
}
var errors = [new Error('m'), new Error(), Error('no new'), new Error(5), new TypeError('tm'), new ReferenceError('rm'), new SyntaxError('sm'), new InternalError('im')];
for (var j = 0; j < errors.length; j++) {
  var e = errors[j];
  log('error ' + j, e, e.name, e.message, String(e));
  log('  instanceof Error, TypeError, ReferenceError', e instanceof Error, e instanceof TypeError, e instanceof ReferenceError);
}
log('constructor', new Error('x').constructor === Error, new TypeError('x').constructor === TypeError);
var renamed = new Error('x');
renamed.name = 'Custom';
log('String() ignores name', String(renamed));
function MyError(msg) { this.message = msg; }
MyError.prototype = Object.create(Error.prototype);
MyError.prototype.name = 'MyError';
try { throw new MyError('mine'); } catch (e) { log('custom', e, e.name, e.message, e instanceof MyError, e instanceof Error); }
var e2 = new Error('x');
e2.code = 5;
log('extra property', e2);
end();
