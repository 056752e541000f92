// setInterval + clearInterval: an interval fires until cleared, then never again.
var n = 0;
var stoppedAt;
var id = setInterval(function () {
  n++;
  if (n === 3) { clearInterval(id); stoppedAt = n; }
}, 20);
var m = 0;
var id2 = setInterval(function () { m++; }, 25);
setTimeout(function () { clearInterval(id2); }, 60);
setTimeout(function () {
  log('fired', n, 'stopped at', stoppedAt);
  log('second interval fired twice', m);
  attempt('clearInterval of a cleared id', function () { clearInterval(id); return 'ok'; });
  end();
}, 200);
