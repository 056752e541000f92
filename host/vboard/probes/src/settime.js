// setTime against the clock and against timers that already exist (measured.md item 9).
var t0 = getTime();
var order = [];
setTimeout(function () { order.push('old 30'); }, 30);
setTime(t0 + 1000);
var jump = getTime() - t0;
log('getTime moved by about 1000 s', jump > 999 && jump < 1001);
setTimeout(function () { order.push('new 60'); }, 60);
setTimeout(function () {
  setTimeout(function () { order.push('old 300, set before a jump back'); }, 300);
  setTime(getTime() - 10);
  setTimeout(function () { order.push('new 20'); }, 20);
  setTimeout(function () { log('order', order); end(); }, 100);
}, 100);
