// measured.md item 9, the part both runtimes agree on: timers set after setTime() run on time and
// in order, after a jump forward and after a jump back.
var order = [];
var t0 = getTime();
setTime(t0 + 86400);
setTimeout(function () { order.push('fwd 30'); }, 30);
setTimeout(function () { order.push('fwd 10'); }, 10);
setTimeout(function () {
  setTime(getTime() - 7200);
  setTimeout(function () { order.push('back 20'); }, 20);
  setTimeout(function () { order.push('back 5'); }, 5);
  setTimeout(function () { log('order', order); end(); }, 60);
}, 50);
