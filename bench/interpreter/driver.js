// Runs on Espruino's interpreter after the profile bundle (bench/interpreter/entry.ts) put the
// meter's primitives on P: times each one with the interpreter's own clock and prints one
// "@PROF name ms n" line per primitive, then "@PROF-END". Written to Storage and evaluated from
// there by bench/interpreter-profile.bench.ts.
(function () {
  var out = function (name, ms, n) { print('@PROF ' + name + ' ' + ms.toFixed(4) + ' ' + n); };
  // per: operations in one call of f (the figure printed is per operation)
  var only = global.PROF_ONLY; // names to time (all when undefined)
  var time = function (name, n, f, per) {
    if (only && only.indexOf(name) < 0) return;
    var t0 = getTime();
    for (var i = 0; i < n; i++) f(i);
    out(name, (getTime() - t0) * 1000 / n / (per || 1), n * (per || 1));
  };
  var hex = function (s) { var u = new Uint8Array(s.length / 2); for (var i = 0; i < u.length; i++) u[i] = parseInt(s.substr(2 * i, 2), 16); return u; };
  var fp = P.fp, a = P.fe(), b = P.fe(), r = P.fe();
  fp.setInt(a, 123456789); fp.setInt(b, 987654321);
  fp.mul(a, a, a); fp.mul(b, b, a);
  var seed = hex('0707070707070707070707070707070707070707070707070707070707070707');
  var dst = E.toUint8Array('Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_');
  var msg = E.toUint8Array('sipster/v1/profile');
  time('call (wrapper)', 1000, function () { P.call(r, a, b); });
  time('montP256', 300, function () { P.montP256(r, a, b); });
  time('Fp.mul', 300, function () { fp.mul(r, a, b); });
  time('Fp.sqr', 300, function () { fp.sqr(r, a); });
  time('Fp.sqrN (per square)', 10, function () { fp.sqrN(r, a, 32); }, 32);
  time('Fp.add', 300, function () { fp.add(r, a, b); });
  time('Fp.sub', 300, function () { fp.sub(r, a, b); });
  time('Fn.mul', 100, function () { fp.mulN(r, a, b); });
  time('fpPowC1 (sqrt_ratio exp.)', 4, function () { P.fpPowC1(r, a); });
  time('fpInv', 4, function () { P.fpInv(r, a); });
  time('fnInv', 3, function () { P.fnInv(r, a); });
  var G = P.generator(), Q = new P.Point();
  P.pointDouble(Q, G);
  time('pointDouble', 50, function () { P.pointDouble(new P.Point(), Q); });
  time('pointAddTo', 50, function () { P.pointAddTo(new P.Point(), G, Q); });
  time('sha256 (64 B)', 200, function () { P.sha256(new Uint8Array(64)); });
  time('hmacSha256', 100, function () { P.hmacSha256(seed, msg); });
  time('expand_message_xmd (96 B)', 50, function () { P.expandMessageXmd(seed, dst, 96); });
  time('tokenRho', 50, function (i) { P.tokenRho(seed, 0, i); });
  time('mapToCurve', 4, function () { P.mapToCurve(new P.Point(), a, 0, P.fe(), P.fe()); });
  time('hashToCurve', 6, function (i) { seed[0] = i; P.hashToCurve(seed, dst); });
  time('fold (tokenPoint + add)', 6, function (i) { P.pointAddTo(Q, Q, P.tokenPoint(P.tokenRho(seed, 0, i))); });
  // The per-token path: state image, slotted A/B save (Storage), token record built and sent.
  var st = P.newState(seed), store = P.abStore('prof.st', 160, 32), rho = P.tokenRho(seed, 0, 0);
  time('encodeState', 100, function (i) { P.setCount(st, i); P.encodeState(st); });
  time('store save (slotted A/B)', 100, function (i) { P.setCount(st, i); P.save(store, P.encodeState(st)); });
  time('tokenBody + frame', 100, function (i) { P.frame(P.tokenBody(0, 0, i, 0, 0, rho)); });
  time('emit (token record)', 100, function (i) { P.emit(1, P.tokenBody(0, 0, i, 0, 0, rho)); });
  time('mulPoint (4-bit window)', 2, function () { P.mulPoint(G, seed); });
  var m = process.memory();
  print('@PROF-MEM ' + m.usage + ' ' + m.total);
  print('@PROF-END');
})();
