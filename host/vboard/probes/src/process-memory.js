// process.memory(): which keys exist and their types (values vary); process.version.
var m = process.memory();
var keys = Object.keys(m);
var parts = [];
for (var i = 0; i < keys.length; i++) parts.push(keys[i] + ':' + typeof m[keys[i]]);
log('keys', parts.join(','));
log('usage + free = total', m.usage + m.free === m.total);
log('process.version', process.version);
log('process.memory(false) keys', Object.keys(process.memory(false)).join(','));
end();
