// measured.md item 1: Math.pow is exact only for small integer exponents.
var cases = [[2, 0], [2, 1], [2, 9], [3, 9], [2, 10], [2, 30], [2, 31], [2, 32], [2, 52], [2, 53], [10, 15], [16, 6],
  [2, -1], [2, 0.5], [-2, 3], [-2, 11], [-2, 12], [-3, 0.5], [0, 0], [0, 5], [0, 20], [0, -1], [1.5, 2], [7, 20], [256, 3]];
for (var i = 0; i < cases.length; i++) log('pow(' + cases[i][0] + ',' + cases[i][1] + ')', Math.pow(cases[i][0], cases[i][1]));
end();
