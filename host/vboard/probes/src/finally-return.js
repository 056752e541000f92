// A return in a finally block does not override an exception on Espruino: the throw goes on.
function h() { try { throw 1; } finally { return 'finally wins'; } }
attempt('try { throw 1 } finally { return }', h);
end();
