// Non-integer and huge number literals, and numbers to strings: Espruino parses some decimal
// literals to a neighbouring double, integer literals past 2^63 wrap, and it prints 12 significant digits.
var xs = [0.5, 0.1 + 0.2, 1 / 3, 1e21, 1.5e-7, 123456789012345680000, 2.5e-5, 1e300, -0.25];
for (var i = 0; i < xs.length; i++) log('String(' + num(xs[i]) + ')', String(xs[i]));
log('toFixed', (1.005).toFixed(2), (2.5).toFixed(0));
end();
