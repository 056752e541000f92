// E.hwRand: a random 32-bit integer (values are random: only type and range are compared; the sign
// is the target's: rand() on Linux is 31 bits, a board's hardware RNG fills all 32).
var outside = 0, nonInt = 0, kinds = {};
for (var i = 0; i < 200; i++) {
  var r = E.hwRand();
  kinds[typeof r] = 1;
  if ((r | 0) !== r) outside++;
  if (r !== Math.floor(r)) nonInt++;
}
log('types', Object.keys(kinds));
log('outside the int32 range', outside);
log('non-integers', nonInt);
end();
