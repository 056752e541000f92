// setTimeout order: by due time, then by creation; arguments passed; clearTimeout.
var order = [];
setTimeout(function () { order.push('a 60'); }, 60);
setTimeout(function () { order.push('b 20'); }, 20);
setTimeout(function () { order.push('c 20'); }, 20);
setTimeout(function () { order.push('d 0'); }, 0);
setTimeout(function (x, y) { order.push('e args ' + x + y); }, 10, 'p', 'q');
var cancelled = setTimeout(function () { order.push('cancelled'); }, 30);
clearTimeout(cancelled);
setTimeout(function () {
  order.push('f 40');
  setTimeout(function () { order.push('g nested 0'); }, 0);
}, 40);
order.push('sync');
log('id type', typeof cancelled);
setTimeout(function () {
  log('order', order);
  end();
}, 150);
