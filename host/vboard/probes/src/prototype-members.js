// Built-in methods are found on instances but not on the prototype objects themselves.
log('typeof [].slice, Array.prototype.slice', typeof [].slice, typeof Array.prototype.slice);
log('typeof print.call, Function.prototype.call', typeof print.call, typeof Function.prototype.call);
log('typeof "".charAt, String.prototype.charAt', typeof ''.charAt, typeof String.prototype.charAt);
end();
