// Guest side of the virtual board: the Espruino 2v29 runtime surface, written as plain JS that runs
// inside QuickJS before any firmware. It is the board's "native" layer, so it may use any ES2023 the
// engine has; the firmware it hosts may not (the surface filter in ../surface.ts removes what
// Espruino lacks once this file has captured what it needs).
//
// The host bridge is one function, __host(op, ...args), captured here and removed from the globals.
// Bytes cross it as binary strings (one char per byte), as Espruino itself passes them around.
// Timers, pin watches and event listeners live here, in guest memory, like on the board; the host
// only asks "run what is due at virtual time t" and delivers pin edges.
(function (host) {
  'use strict';
  var G = globalThis;
  var geval = G.eval;
  var hasOwn = Object.prototype.hasOwnProperty;
  // Captured now: the surface filter removes ArrayBuffer.isView from the guest's view afterwards.
  var isView = ArrayBuffer.isView;
  // The engine's typed-array methods, kept before the board's Espruino versions replace them.
  var TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
  var nativeSet = TypedArrayProto.set;
  var nativeSubarray = TypedArrayProto.subarray;
  var arraySlice = Array.prototype.slice;
  var defineHidden = function (obj, name, value) {
    Object.defineProperty(obj, name, { value: value, writable: true, configurable: true, enumerable: false });
  };
  var notModelled = function (what) {
    return function () { throw new Error(what + ' is not modelled on the virtual board'); };
  };

  // ---- binary strings <-> bytes ----
  // Espruino's C casts, as its natives convert values. cInt32: (int) of a double as x86 does it,
  // truncation, and INT_MIN for NaN and anything out of range (typed-array elements read as integers).
  function cInt32(v) { return v > -2147483649 && v < 2147483648 ? (v < 0 ? Math.ceil(v) : Math.floor(v)) : -2147483648; }
  // jsvGetInteger: numbers wrap to 32 bits, booleans are 0/1, anything else 0 here.
  function intOf(v) { return typeof v === 'number' || typeof v === 'boolean' ? +v | 0 : 0; }
  function isFloatArray(v) { return v instanceof Float64Array || v instanceof Float32Array; }
  // Espruino's %t: a class name for objects, the type for anything else.
  function typeName(v) {
    if (v === null) return 'null';
    if (typeof v === 'function') return 'Function';
    if (typeof v !== 'object') return typeof v;
    return Array.isArray(v) ? 'Array' : v.constructor && v.constructor.name || 'Object';
  }
  // Espruino's %j (JSON with spaces), for error messages.
  function espJSON(v) {
    if (Array.isArray(v)) return '[ ' + v.map(espJSON).join(', ') + ' ]';
    if (v !== null && typeof v === 'object') return '{ ' + Object.keys(v).map(function (k) { return JSON.stringify(k) + ': ' + espJSON(v[k]); }).join(', ') + ' }';
    return JSON.stringify(v);
  }
  // The bytes of a value as Espruino's jsvIterateCallback walks it (E.toUint8Array, E.toString,
  // Serial.write, Storage.write, the hashes): a number or boolean is one byte, a string one byte per
  // char, an ArrayBuffer or byte array its bytes, other typed arrays and arrays element by element
  // (nested too), {data, count} data repeated, {callback} what the callback returns; anything else
  // is a TypeError. Byte arrays and strings are kept whole (the firmware concatenates every record
  // with E.toUint8Array, natively on a board, and this must not make the emulator much slower).
  function byteChunks(data, out) {
    if (typeof data === 'number' || typeof data === 'boolean') out.push(intOf(data) & 255);
    else if (typeof data === 'string') out.push(data);
    else if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) out.push(data);
    else if (data instanceof ArrayBuffer) out.push(new Uint8Array(data));
    else if (isView(data)) {
      var conv = isFloatArray(data) ? cInt32 : intOf;
      for (var i = 0; i < data.length; i++) out.push(conv(data[i]) & 255);
    } else if (Array.isArray(data)) for (var k = 0; k < data.length; k++) byteChunks(data[k], out);
    else if (data !== null && typeof data === 'object') {
      if (typeof data.callback === 'function') {
        var r = data.callback();
        if (r !== undefined) byteChunks(r, out);
      } else if (hasOwn.call(data, 'count') && data.data !== undefined && (typeof data.count === 'number' || typeof data.count === 'boolean')) {
        for (var n = intOf(data.count); n > 0; n--) byteChunks(data.data, out);
      } else throw new TypeError('If specifying an object, it must be of the form {data : ..., count : N} or {callback : fn} - got ' + espJSON(data));
    } else throw new TypeError('Expecting Number or iterable, got ' + typeName(data));
  }
  function chunksToU8(chunks) {
    var n = 0;
    for (var c = 0; c < chunks.length; c++) n += typeof chunks[c] === 'number' ? 1 : chunks[c].length;
    var u = new Uint8Array(n);
    var at = 0;
    for (var d = 0; d < chunks.length; d++) {
      var x = chunks[d];
      if (typeof x === 'number') u[at++] = x;
      else if (typeof x === 'string') { for (var i = 0; i < x.length; i++) u[at++] = x.charCodeAt(i); }
      else { nativeSet.call(u, x, at); at += x.length; }
    }
    return u;
  }
  /** The bytes of any number of values, walked as above. */
  function bytesOf(values) {
    var chunks = [];
    for (var i = 0; i < values.length; i++) byteChunks(values[i], chunks);
    return chunksToU8(chunks);
  }
  function toBinary(data) { return typeof data === 'string' ? data : u8ToBin(bytesOf([data])); }
  // Bytes cross the host bridge as ArrayBuffers: the bridge's strings are C strings (a NUL ends them).
  function bytesOut(data) {
    if (data instanceof ArrayBuffer) return data;
    if (data instanceof Uint8Array) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    return (typeof data === 'string' ? binToU8(data) : bytesOf([data])).buffer;
  }
  function u8ToBin(u8) {
    var out = '';
    for (var i = 0; i < u8.length; i += 4096) out += String.fromCharCode.apply(null, nativeSubarray.call(u8, i, i + 4096));
    return out;
  }
  function strIn(ab) { return ab === undefined ? undefined : u8ToBin(new Uint8Array(ab)); }
  function binToU8(s) {
    var u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255;
    return u;
  }

  // ---- typed arrays as Espruino 2v29 has them ----
  // slice() gives a plain Array. set() converts as Espruino's C does: from a Float32/Float64Array
  // into an integer array each value is cast to int32 (INT_MIN when out of range, then cut to the
  // element), a string gives its char codes, what does not fit is dropped (no RangeError), and a
  // source in the same buffer at or before the destination is copied backwards element by element.
  // subarray() does not clamp: a start below 0 throws, and an end past the array is a view past the
  // buffer on Espruino, which no ES engine can make (a listed known difference: it throws here).
  defineHidden(TypedArrayProto, 'slice', function slice(begin, end) { return arraySlice.call(this, begin, end); });
  defineHidden(TypedArrayProto, 'set', function set(arr, offset) {
    if (!(typeof arr === 'string' || Array.isArray(arr) || isView(arr) || arr instanceof ArrayBuffer)) {
      throw new Error('First argument must be Array, not ' + typeName(arr));
    }
    var at = intOf(offset);
    if (arr instanceof ArrayBuffer) arr = new Uint8Array(arr);
    var i;
    if (isView(arr) && arr.buffer === this.buffer && arr.byteOffset <= this.byteOffset + at * this.BYTES_PER_ELEMENT) {
      for (i = arr.length - 1; i >= 0; i--) this[at + i] = arr[i];
      return;
    }
    var n = Math.min(arr.length, this.length - at);
    if (at < 0 || n <= 0) return;
    if (typeof arr === 'string') for (i = 0; i < n; i++) this[at + i] = arr.charCodeAt(i);
    else if (isFloatArray(arr) && !isFloatArray(this)) for (i = 0; i < n; i++) this[at + i] = cInt32(arr[i]);
    else nativeSet.call(this, n === arr.length ? arr : isView(arr) ? nativeSubarray.call(arr, 0, n) : arraySlice.call(arr, 0, n), at);
  });
  defineHidden(TypedArrayProto, 'subarray', function subarray(begin, end) {
    var len = this.length;
    var b = intOf(begin);
    var e = typeof end === 'number' || typeof end === 'boolean' ? intOf(end) : len;
    if (b < 0) b += len;
    if (e < 0) e += len;
    if (e < 0) e = 0;
    if (b > e) { b = 0; e = 0; }
    if (b === e) return new this.constructor(0);
    if (b < 0) throw new Error('byteOffset too large (or negative)');
    if (e > len) {
      throw new Error('subarray(' + begin + ', ' + end + ') ends past the array (length ' + len + '): Espruino 2v29 makes a view past its buffer there, which the virtual board cannot model');
    }
    return nativeSubarray.call(this, b, e);
  });

  // ---- errors as Espruino makes them ----
  // new Error(m) & co. are plain objects with enumerable message (when given), type and stack, and
  // no name; TypeError, ReferenceError, SyntaxError and InternalError do not inherit from Error;
  // String(e) is "type: message". The engine's intrinsic constructors stay behind the board's, so
  // errors the engine throws itself are instances of the same classes (their messages stay the
  // engine's: a listed known difference).
  ['Error', 'TypeError', 'ReferenceError', 'SyntaxError', 'InternalError'].forEach(function (type) {
    var Intrinsic = G[type];
    var proto = Intrinsic.prototype;
    delete proto.name;
    delete proto.message;
    if (type !== 'Error') Object.setPrototypeOf(proto, Object.prototype);
    defineHidden(proto, 'type', type);
    defineHidden(proto, 'toString', function () { return hasOwn.call(this, 'message') ? this.type + ': ' + this.message : String(this.type); });
    var BoardError = function (message) {
      var e = Object.create(proto);
      if (message !== undefined) e.message = String(message);
      e.type = type;
      e.stack = new Intrinsic().stack || '';
      return e;
    };
    Object.defineProperty(BoardError, 'name', { value: type });
    BoardError.prototype = proto;
    defineHidden(proto, 'constructor', BoardError);
    G[type] = BoardError;
  });

  // ---- Espruino value formatting (REPL "=value" and print of non-strings) ----
  function fmt(v) {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'function') return 'function () { [native code] }';
    if (v instanceof Pin) return v.__name;
    if (typeof v === 'object') {
      if (isView(v)) return 'new ' + v.constructor.name + '([' + Array.prototype.join.call(v, ', ') + '])';
      if (v instanceof ArrayBuffer) return 'new ArrayBuffer(' + v.byteLength + ')';
      if (typeof v.type === 'string' && hasOwn.call(v, 'message')) return v.type + ': ' + v.message;
      try { return JSON.stringify(v, null, 2); } catch (e) { return '{ ... }'; }
    }
    return String(v);
  }
  function printable(args) {
    var parts = [];
    for (var i = 0; i < args.length; i++) parts.push(typeof args[i] === 'string' ? args[i] : fmt(args[i]));
    return parts.join(' ');
  }
  function fmtErr(e) {
    if (e && typeof e === 'object' && e.message !== undefined) return 'Uncaught ' + (e.type || e.name || 'Error') + ': ' + e.message;
    return 'Uncaught ' + fmt(e);
  }
  function consoleWrite(s) { host('con', bytesOut(s)); }
  function reportError(e) { consoleWrite(fmtErr(e) + '\n'); }

  // ---- events on every object, as Espruino's Object.prototype.on/emit ----
  var LISTENERS = '\u00ffl';
  defineHidden(Object.prototype, 'on', function (ev, fn) {
    if (!hasOwn.call(this, LISTENERS)) defineHidden(this, LISTENERS, {});
    var m = this[LISTENERS];
    (m[ev] = m[ev] || []).push(fn);
    if (this === USB || this === LoopbackA || this === LoopbackB) host('listen', devName(this), ev);
  });
  defineHidden(Object.prototype, 'addListener', Object.prototype.on);
  defineHidden(Object.prototype, 'emit', function (ev) {
    if (!hasOwn.call(this, LISTENERS)) return;
    var list = this[LISTENERS][ev];
    if (!list) return;
    var args = Array.prototype.slice.call(arguments, 1);
    var copy = list.slice();
    for (var i = 0; i < copy.length; i++) copy[i].apply(this, args);
  });
  defineHidden(Object.prototype, 'removeListener', function (ev, fn) {
    if (!hasOwn.call(this, LISTENERS)) return;
    var list = this[LISTENERS][ev];
    if (!list) return;
    var i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  });
  defineHidden(Object.prototype, 'removeAllListeners', function (ev) {
    if (!hasOwn.call(this, LISTENERS)) return;
    if (ev === undefined) this[LISTENERS] = {}; else delete this[LISTENERS][ev];
  });
  function hasListeners(obj, ev) {
    return hasOwn.call(obj, LISTENERS) && !!obj[LISTENERS][ev] && obj[LISTENERS][ev].length > 0;
  }

  // ---- pins ----
  function Pin(v) {
    if (!(this instanceof Pin)) return pinByName(String(v));
    defineHidden(this, '__name', typeof v === 'number' ? 'D' + v : String(v));
  }
  Pin.prototype.read = function () { return !!host('pinRead', this.__name); };
  Pin.prototype.write = function (v) { host('pinWrite', this.__name, !!v); };
  Pin.prototype.set = function () { host('pinWrite', this.__name, true); };
  Pin.prototype.reset = function () { host('pinWrite', this.__name, false); };
  Pin.prototype.toggle = function () { var v = !this.read(); this.write(v); return v; };
  Pin.prototype.mode = function () {};
  Pin.prototype.getMode = function () { return 'input'; };
  Pin.prototype.getInfo = function () { return { port: 'D', num: Number(this.__name.slice(1)) }; };
  Pin.prototype.toString = function () { return this.__name; };
  var pins = {};
  function pinByName(name) {
    if (!pins[name]) pins[name] = new Pin(name);
    return pins[name];
  }
  function pinName(p) {
    if (p instanceof Pin) return p.__name;
    if (typeof p === 'number') return 'D' + p;
    if (typeof p === 'string') return p;
    throw new TypeError('Expecting a Pin, got ' + typeof p);
  }
  for (var d = 0; d <= 32; d++) G['D' + d] = pinByName('D' + d);

  // ---- virtual time: timers on the host's virtual clock (ms) ----
  var timers = [];
  var nextTimerId = 1;
  function now() { return host('now'); }
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn === 'string') { var code = fn; fn = function () { geval(code); }; }
    if (typeof fn !== 'function') throw new TypeError('Function or String not supplied!');
    var interval = Math.max(0, Number(ms) || 0);
    var t = { id: nextTimerId++, fn: fn, args: args, due: now() + interval, interval: repeat ? interval : -1 };
    timers.push(t);
    host('sched', nextDue());
    return t.id;
  }
  function nextDue() {
    var best = -1;
    for (var i = 0; i < timers.length; i++) if (best < 0 || timers[i].due < best) best = timers[i].due;
    return best;
  }
  function clearTimer(id) {
    if (id === undefined) timers = [];
    else timers = timers.filter(function (t) { return t.id !== id; });
    host('sched', nextDue());
  }
  G.setTimeout = function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false); };
  G.setInterval = function (fn, ms) { return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true); };
  G.clearTimeout = clearTimer;
  G.clearInterval = clearTimer;
  G.changeInterval = function (id, ms) {
    for (var i = 0; i < timers.length; i++) if (timers[i].id === id) {
      timers[i].interval = Math.max(0, Number(ms) || 0);
      timers[i].due = now() + timers[i].interval;
    }
    host('sched', nextDue());
  };
  // Runs the earliest timer if due at virtual time t; returns the next due time (-1: none).
  function runTimer(t) {
    var due = null;
    for (var i = 0; i < timers.length; i++) if (timers[i].due <= t && (!due || timers[i].due < due.due)) due = timers[i];
    if (due) {
      if (due.interval >= 0) due.due += Math.max(due.interval, 1);
      else timers.splice(timers.indexOf(due), 1);
      try { due.fn.apply(G, due.args); } catch (e) { reportError(e); }
    }
    return nextDue();
  }

  // ---- setWatch on pins driven by the rig ----
  var watches = [];
  var nextWatchId = 1;
  G.setWatch = function (fn, pin, opts) {
    if (typeof fn === 'string') { var code = fn; fn = function () { geval(code); }; }
    if (typeof fn !== 'function') throw new TypeError('Function or String not supplied!');
    if (typeof opts !== 'object' || opts === null) opts = { repeat: !!opts };
    var w = {
      id: nextWatchId++, fn: fn, pin: pinName(pin), repeat: !!opts.repeat,
      edge: opts.edge === 'rising' || opts.edge === 1 ? 1 : opts.edge === 'falling' || opts.edge === -1 ? -1 : 0,
      debounce: Number(opts.debounce) || 0, data: opts.data, lastTime: undefined, pending: null,
    };
    watches.push(w);
    host('watch', w.pin, true);
    return w.id;
  };
  G.clearWatch = function (id) {
    if (id === undefined) watches = [];
    else watches = watches.filter(function (w) { return w.id !== id; });
  };
  function pinEdge(name, state, t) {
    var list = watches.slice();
    for (var i = 0; i < list.length; i++) {
      var w = list[i];
      if (w.pin !== name) continue;
      if (w.edge === 1 && !state) continue;
      if (w.edge === -1 && state) continue;
      if (w.debounce > 0 && w.lastTime !== undefined && (t - w.lastTime * 1000) < w.debounce) continue;
      var ev = { state: state, time: t / 1000, lastTime: w.lastTime };
      w.lastTime = t / 1000;
      if (!w.repeat) watches.splice(watches.indexOf(w), 1);
      try { w.fn(ev); } catch (e) { reportError(e); }
    }
  }
  G.digitalRead = function (pin) {
    if (Array.isArray(pin)) { var v = 0; for (var i = 0; i < pin.length; i++) v = (v << 1) | (host('pinRead', pinName(pin[i])) ? 1 : 0); return v; }
    return host('pinRead', pinName(pin)) ? 1 : 0;
  };
  G.digitalWrite = function (pin, value) {
    if (Array.isArray(pin)) { for (var i = pin.length - 1; i >= 0; i--) { host('pinWrite', pinName(pin[i]), !!(value & 1)); value >>= 1; } return; }
    host('pinWrite', pinName(pin), !!value);
  };
  G.digitalPulse = function (pin, value, time) {
    var name = pinName(pin);
    host('pinWrite', name, !!value);
    addTimer(function () { host('pinWrite', name, !value); }, Array.isArray(time) ? time[0] : time, [], false);
  };
  G.pinMode = function () {};
  G.getPinMode = function () { return 'input'; };
  G.Pin = Pin;
  G.HIGH = 1;
  G.LOW = 0;

  // ---- console and serial devices ----
  // Device names live outside the objects: the surface filter strips own members of USB & co.
  var deviceNames = new WeakMap();
  function devName(obj) { return deviceNames.get(obj); }
  function Serial(dev) { deviceNames.set(this, dev); }
  Serial.prototype.write = function () { for (var i = 0; i < arguments.length; i++) host('tx', devName(this), bytesOut(arguments[i])); };
  Serial.prototype.print = function (s) { host('tx', devName(this), bytesOut(String(s))); };
  Serial.prototype.println = function (s) { host('tx', devName(this), bytesOut(String(s) + '\r\n')); };
  Serial.prototype.setConsole = function (force) { host('setConsole', devName(this), !!force); };
  Serial.prototype.setup = function () {};
  Serial.prototype.available = function () { return 0; };
  Serial.prototype.read = function () { return ''; };
  Serial.prototype.pipe = notModelled('Serial.pipe');
  Serial.prototype.inject = function (s) { host('inject', devName(this), bytesOut(s)); };
  Serial.find = function () { return undefined; };
  G.Serial = Serial;
  var USB = new Serial('USB');
  var LoopbackA = new Serial('LoopbackA');
  var LoopbackB = new Serial('LoopbackB');
  G.USB = USB; G.LoopbackA = LoopbackA; G.LoopbackB = LoopbackB;
  for (var s = 1; s <= 6; s++) G['Serial' + s] = new Serial('Serial' + s);
  var devices = { USB: USB, LoopbackA: LoopbackA, LoopbackB: LoopbackB };
  function serialData(dev, data) {
    var obj = devices[dev];
    if (obj && hasListeners(obj, 'data')) {
      try { obj.emit('data', data); } catch (e) { reportError(e); }
    }
  }

  G.print = function () { consoleWrite(printable(arguments) + '\n'); };
  G.console = {};
  ['log', 'debug', 'info', 'warn', 'error', 'trace'].forEach(function (k) { G.console[k] = G.print; });
  G.echo = function (on) { host('echo', !!on); };
  G.global = G;

  // ---- E ----
  var E = {};
  // CRC32 walks the value's elements one level deep (jsvIterator), unlike the byte walk; a value
  // that cannot be iterated gives undefined.
  E.CRC32 = function (data) {
    var bytes;
    if (typeof data === 'string') bytes = binToU8(data);
    else if (data instanceof ArrayBuffer || data instanceof Uint8Array) bytes = data;
    else if (isView(data) || Array.isArray(data) || (data !== null && typeof data === 'object')) {
      var els = isView(data) || Array.isArray(data) ? data : Object.keys(data).map(function (k) { return data[k]; });
      var conv = isFloatArray(data) ? cInt32 : intOf;
      bytes = new Uint8Array(els.length);
      for (var i = 0; i < els.length; i++) bytes[i] = conv(els[i]) & 255;
    } else return undefined;
    return host('crc32', bytesOut(bytes));
  };
  // Native multiply-accumulate: on the board a C loop, so guest JS here (a host call per element
  // pair would cost more than the loop itself). b starts at offset (an int32, wrapped into b's
  // length, negative too) and wraps around.
  E.convolve = function (a, b, offset) {
    var la = a.length, lb = b.length, sum = 0;
    var j = (offset | 0) % lb;
    if (j < 0) j += lb;
    for (var i = 0; i < la; i++) {
      sum += a[i] * b[j];
      if (++j === lb) j = 0;
    }
    return sum;
  };
  E.sum = function (arr) { var s = 0; for (var i = 0; i < arr.length; i++) s += arr[i]; return s; };
  E.variance = function (arr, mean) { var s = 0; for (var i = 0; i < arr.length; i++) { var d = arr[i] - mean; s += d * d; } return s / arr.length; };
  E.hwRand = function () { return host('rand'); };
  E.srand = function () {};
  E.toString = function () { return u8ToBin(bytesOf(arguments)); };
  E.toUint8Array = function () { return bytesOf(arguments); };
  E.toArrayBuffer = function (s) { return binToU8(String(s)).buffer; };
  E.toFlatString = E.toString;
  E.toJS = function (v) { return JSON.stringify(v); };
  E.asUTF8 = function (s) { return s; };
  E.fromUTF8 = function (s) { return s; };
  E.isUTF8 = function () { return false; };
  E.decodeUTF8 = function (s) { return s; };
  E.reverseByte = function (b) { var r = 0; for (var i = 0; i < 8; i++) r = (r << 1) | ((b >> i) & 1); return r; };
  E.clip = function (x, lo, hi) { return x < lo ? lo : x > hi ? hi : x; };
  E.mapInPlace = function (from, to, map, bits) {
    for (var i = 0; i < Math.min(from.length, to.length); i++) to[i] = typeof map === 'function' ? map(from[i]) : map ? map[from[i]] : from[i];
  };
  E.lookupNoCase = function (obj, key) {
    for (var k in obj) if (k.toLowerCase() === String(key).toLowerCase()) return obj[k];
    return undefined;
  };
  E.getConsole = function () { return host('getConsole'); };
  E.setConsole = function (dev, opts) {
    var name = dev === null || dev === undefined ? 'null' : typeof dev === 'string' ? dev : devName(dev);
    host('setConsole', name, !!(opts && opts.force));
  };
  E.lockConsole = function () { host('lock'); };
  E.setPassword = function (pw) { host('password', pw === undefined ? undefined : String(pw)); };
  E.setBootCode = function (code, alwaysExec) {
    var st = requireModule('Storage');
    st.erase('.bootcde'); st.erase('.bootrst');
    if (code) st.write(alwaysExec ? '.bootrst' : '.bootcde', String(code));
  };
  E.reboot = function () { host('power', 'reboot'); };
  E.getSizeOf = function () { return 1; };
  E.setFlags = function () {};
  E.getFlags = function () { return {}; };
  E.getErrorFlags = function () { return []; };
  E.enableWatchdog = function () {};
  E.kickWatchdog = function () {};
  E.setClock = function () { return 0; };
  E.getClock = function () { return { sysclk: 64000000 }; };
  E.getTemperature = function () { return 25; };
  E.getAnalogVRef = function () { return 3.3; };
  E.getPowerUsage = function () { return { device: {}, total: 0 }; };
  E.setDST = function () {};
  E.setTimeZone = function () {};
  E.stopEventPropagation = function () {};
  E.defrag = function () {};
  E.dumpFragmentation = function () {};
  E.dumpFreeList = function () {};
  E.dumpLockedVars = function () {};
  E.dumpVariables = function () {};
  E.dumpStr = function () { return ''; };
  E.memoryArea = notModelled('E.memoryArea');
  E.memoryMap = notModelled('E.memoryMap');
  E.getAddressOf = function () { return 0; };
  E.FFT = notModelled('E.FFT');
  E.HSBtoRGB = notModelled('E.HSBtoRGB');
  E.asm = notModelled('E.asm');
  E.compiledC = notModelled('E.compiledC');
  E.nativeCall = notModelled('E.nativeCall');
  E.connectSDCard = notModelled('E.connectSDCard');
  E.unmountSD = notModelled('E.unmountSD');
  E.openFile = notModelled('E.openFile');
  E.pipe = notModelled('E.pipe');
  E.internal = {};
  G.E = E;

  // ---- Storage (flash, a file on the host's disk) ----
  function StorageFile(name, mode) {
    defineHidden(this, '__name', '\u0001' + name);
    defineHidden(this, '__pos', 0);
    if (mode === 'w') host('stWrite', this.__name, bytesOut(''));
  }
  StorageFile.prototype.write = function (data) {
    var cur = strIn(host('stRead', this.__name)) || '';
    return host('stWrite', this.__name, bytesOut(cur + toBinary(data)));
  };
  StorageFile.prototype.read = function (len) {
    var cur = strIn(host('stRead', this.__name)) || '';
    if (this.__pos >= cur.length) return undefined;
    var out = cur.substr(this.__pos, len);
    this.__pos += out.length;
    return out;
  };
  StorageFile.prototype.readLine = function () {
    var cur = strIn(host('stRead', this.__name)) || '';
    if (this.__pos >= cur.length) return undefined;
    var nl = cur.indexOf('\n', this.__pos);
    var end = nl < 0 ? cur.length : nl + 1;
    var out = cur.slice(this.__pos, end);
    this.__pos = end;
    return out;
  };
  StorageFile.prototype.getLength = function () { return (strIn(host('stRead', this.__name)) || '').length; };
  StorageFile.prototype.erase = function () { host('stErase', this.__name); };
  G.StorageFile = StorageFile;

  // Storage file names are cut to 28 chars (Espruino's JsfFileName).
  function fileName(name) { return String(name).substr(0, 28); }
  function readFile(name) { return strIn(host('stRead', fileName(name))); }
  function erased(s, from, n) {
    for (var i = from; i < from + n; i++) if (s.charCodeAt(i) !== 255) return false;
    return true;
  }
  var Storage = {
    // As jsfReadFile clips them: offset below 0 is 0, length 0 (or none) is the rest.
    read: function (name, offset, length) {
      var s = readFile(name);
      if (s === undefined) return undefined;
      var at = Math.min(Math.max(intOf(offset), 0), s.length);
      var n = intOf(length);
      if (n <= 0 || at + n > s.length) n = s.length - at;
      return s.substr(at, n);
    },
    readArrayBuffer: function (name) {
      var s = readFile(name);
      return s === undefined ? undefined : binToU8(s).buffer;
    },
    readJSON: function (name, noExceptions) {
      var s = readFile(name);
      if (s === undefined) return undefined;
      try { return JSON.parse(s); } catch (e) { if (noExceptions) return undefined; throw e; }
    },
    // As jsfWriteFile: at offset 0 a file of `size` bytes (default: the data's) is created erased
    // (0xFF) unless one of that size is there still erased, or the same data is there already (then
    // nothing is written); data then goes at `offset`, only over erased bytes and within the size.
    write: function (name, data, offset, size) {
      name = fileName(name);
      if (data !== null && typeof data === 'object' && !Array.isArray(data) && !isView(data) && !(data instanceof ArrayBuffer)) {
        data = JSON.stringify(data);
        offset = 0;
        size = 0;
      }
      var at = intOf(offset);
      var total = intOf(size);
      if (at < 0 || total < 0) return false;
      if (data === undefined) throw new Error("Can't get pointer to data to write");
      var bin = toBinary(data);
      if (total === 0) total = bin.length;
      if (total === 0) throw new Error("Can't create zero length file");
      var cur = strIn(host('stRead', name));
      if (at === 0 && (cur === undefined || total !== cur.length || !erased(cur, 0, total))) {
        if (cur !== undefined && total === cur.length && bin.length === total && bin === cur) return true;
        if (bin.length > total) {
          host('stWriteAt', name, bytesOut(''), 0, total);
          throw new Error('Too much data for file size');
        }
        // A whole file in one write replaces the old one; a first chunk creates the file erased.
        return bin.length === total ? host('stWrite', name, bytesOut(bin)) : host('stWriteAt', name, bytesOut(bin), 0, total);
      }
      if (cur === undefined) throw new Error('Unable to find or create file');
      if (at + bin.length > cur.length) throw new Error('Too much data for file size');
      if (!erased(cur, at, bin.length)) throw new Error('File already written with different data');
      return host('stWriteAt', name, bytesOut(bin), at, -1);
    },
    writeJSON: function (name, obj) { return Storage.write(name, JSON.stringify(obj)); },
    erase: function (name) { host('stErase', fileName(name)); },
    eraseAll: function () { host('stEraseAll'); },
    list: function (regex, filter) {
      // A file with the empty name can be written and read but is not listed.
      var names = JSON.parse(host('stList')).filter(function (n) { return n.length > 0 && n.charCodeAt(0) !== 1; });
      if (filter && filter.sf) names = JSON.parse(host('stList')).filter(function (n) { return n.charCodeAt(0) === 1; }).map(function (n) { return n.slice(1); });
      if (regex) names = names.filter(function (n) { return typeof regex === 'string' ? n.indexOf(regex) >= 0 : regex.test(n); });
      return names;
    },
    getFree: function () { return host('stFree'); },
    getStats: function () { var f = host('stFree'); return { totalBytes: f + host('stUsed'), freeBytes: f, fileBytes: host('stUsed'), fileCount: JSON.parse(host('stList')).length, trashBytes: 0, trashCount: 0 }; },
    compact: function () {},
    optimise: function () {},
    hash: function (regex) { return host('crc32', bytesOut(JSON.stringify(Storage.list(regex)))); },
    open: function (name, mode) { return new StorageFile(String(name), mode); },
  };

  // ---- crypto (host-backed: the board's hashes are native C too) ----
  var crypto = {
    SHA1: function (d) { return host('sha', 'SHA1', bytesOut(d)); },
    SHA224: function (d) { return host('sha', 'SHA224', bytesOut(d)); },
    SHA256: function (d) { return host('sha', 'SHA256', bytesOut(d)); },
    SHA384: function (d) { return host('sha', 'SHA384', bytesOut(d)); },
    SHA512: function (d) { return host('sha', 'SHA512', bytesOut(d)); },
    PBKDF2: notModelled('crypto.PBKDF2'),
    AES: { encrypt: notModelled('AES.encrypt'), decrypt: notModelled('AES.decrypt') },
  };
  var builtinModules = {
    Storage: Storage,
    crypto: crypto,
    Flash: { erasePage: notModelled('Flash'), getFree: function () { return []; }, getPage: notModelled('Flash'), read: notModelled('Flash'), write: notModelled('Flash') },
    heatshrink: { compress: notModelled('heatshrink'), decompress: notModelled('heatshrink') },
    fs: {}, http: {}, net: {}, tensorflow: { create: notModelled('tensorflow') },
  };
  ['appendFile', 'appendFileSync', 'mkdir', 'mkdirSync', 'pipe', 'readFile', 'readFileSync', 'readdir', 'readdirSync', 'statSync', 'unlink', 'unlinkSync', 'writeFile', 'writeFileSync']
    .forEach(function (k) { builtinModules.fs[k] = notModelled('fs.' + k); });
  ['createServer', 'get', 'request'].forEach(function (k) { builtinModules.http[k] = notModelled('http.' + k); });
  ['connect', 'createServer'].forEach(function (k) { builtinModules.net[k] = notModelled('net.' + k); });
  var cachedModules = {};
  G.Modules = {
    addCached: function (name, code) { cachedModules[name] = { code: code }; },
    getCached: function () { return Object.keys(cachedModules); },
    removeCached: function (name) { delete cachedModules[name]; },
    removeAllCached: function () { cachedModules = {}; },
  };
  function requireModule(name) {
    if (hasOwn.call(builtinModules, name)) return builtinModules[name];
    var m = cachedModules[name];
    if (m) {
      if (m.exports === undefined) {
        var mod = { exports: {} };
        if (typeof m.code === 'function') m.code(mod.exports, mod); else (new Function('exports', 'module', m.code))(mod.exports, mod);
        m.exports = mod.exports;
      }
      return m.exports;
    }
    throw new Error('Module "' + name + '" not found');
  }
  G.require = requireModule;

  // ---- process, time, resets ----
  G.process = {
    env: JSON.parse(host('env')),
    version: '2v29',
    memory: function (gc) {
      var m = JSON.parse(host('mem'));
      // Reported in Espruino's unit (variables), scaled from the engine's bytes; gc and gctime only
      // when it collected garbage first (the default; memory(false) does not).
      var out = { free: m.free, usage: m.usage, total: m.total, history: 0 };
      if (gc === undefined || !!gc) { out.gc = 0; out.gctime = 0; }
      out.blocksize = 16;
      return out;
    },
  };
  G.getTime = function () { return now() / 1000; };
  // A board's setTime sets its RTC; timers keep the delays they have left (Espruino counts them
  // down by elapsed time from the idle loop). Espruino's Linux build differs: its clock cannot be set.
  G.setTime = function (t) {
    var before = now();
    host('setTime', Number(t) * 1000);
    var jump = now() - before;
    for (var i = 0; i < timers.length; i++) timers[i].due += jump;
    host('sched', nextDue());
  };
  G.getSerial = function () { return G.process.env.SERIAL; };
  G.reset = function (clearFlash) { host('power', clearFlash ? 'resetClear' : 'reset'); };
  G.load = function (name) { host('power', 'load', name === undefined ? '' : String(name)); };
  G.save = function () { host('power', 'save'); };
  G.quit = function () { host('power', 'off'); };
  G.setBusyIndicator = function () {};
  G.setSleepIndicator = function () {};
  G.edit = notModelled('edit');
  G.dump = notModelled('dump');
  G.trace = notModelled('trace');
  G.peek8 = G.peek16 = G.peek32 = notModelled('peek');
  G.poke8 = G.poke16 = G.poke32 = notModelled('poke');
  G.analogRead = notModelled('analogRead');
  G.analogWrite = notModelled('analogWrite');
  G.shiftOut = notModelled('shiftOut');
  G.url = { parse: notModelled('url.parse') };
  var RealDate = G.Date;
  // The board's Date follows its clock (getTime), not the host's.
  function BoardDate() {
    if (!(this instanceof BoardDate)) return new RealDate(now()).toString();
    var args = Array.prototype.slice.call(arguments);
    return args.length === 0 ? new RealDate(now()) : new (Function.prototype.bind.apply(RealDate, [null].concat(args)))();
  }
  BoardDate.prototype = RealDate.prototype;
  BoardDate.now = function () { return now(); };
  BoardDate.parse = RealDate.parse;
  G.Date = BoardDate;
  Math.clip = E.clip;
  // Espruino's Math.pow: integer exponents 0-9 by repeated multiplication, anything else as
  // exp(log(x) * y), which is not exact (Math.pow(2, 30) is 1073741823.9999995).
  var exp = Math.exp, log = Math.log;
  Math.pow = function pow(x, y) {
    x = +x;
    y = +y;
    var n = y | 0;
    if (n >= 0 && n < 10 && n === y) {
      if (n === 0) return 1;
      var p = x;
      while (n > 1) { p *= x; n--; }
      return p;
    }
    if (x < 0 && y % 1 === 0) return y % 2 === 0 ? exp(log(-x) * y) : -exp(log(-x) * y);
    return x !== 0 || y <= 0 ? exp(log(x) * y) : 0;
  };
  Math.wrap = function (x, max) { return ((x % max) + max) % max; };
  Math.randInt = function (max) { return Math.floor(Math.random() * max); };
  if (typeof G.atob !== 'function') {
    var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    G.btoa = function (s) { return host('btoa', bytesOut(s)); };
    G.atob = function (s) {
      s = String(s);
      for (var i = 0; i < s.length; i++) if (s[i] !== '=' && B64.indexOf(s[i]) < 0 && s[i] !== '\n' && s[i] !== '\r') throw new Error('Invalid base64');
      return strIn(host('atob', s));
    };
  }
  G.ArrayBufferView = Object.getPrototypeOf(Uint8Array);
  G.Uint24Array = notModelled('Uint24Array');
  Function.prototype.replaceWith = notModelled('Function.replaceWith');
  G.AES = { ccmDecrypt: notModelled('AES'), ccmEncrypt: notModelled('AES'), decrypt: notModelled('AES'), encrypt: notModelled('AES') };
  ['File', 'Graphics', 'I2C', 'SPI', 'OneWire', 'Server', 'Socket', 'TFMicroInterpreter', 'Telnet', 'Waveform', 'dgramSocket', 'httpCRq', 'httpCRs', 'httpSRq', 'httpSRs', 'httpSrv']
    .forEach(function (k) { G[k] = notModelled(k); });
  G.Graphics.createArrayBuffer = G.Graphics.createCallback = G.Graphics.createImage = G.Graphics.getInstance = notModelled('Graphics');
  G.I2C.find = G.SPI.find = function () { return undefined; };
  ['I2C1', 'I2C2', 'I2C3', 'SPI1', 'SPI2', 'SPI3'].forEach(function (k) { G[k] = {}; });

  // ---- entry points for the host (removed from the globals by the surface filter) ----
  G.__vb = {
    runTimer: runTimer,
    pinEdge: pinEdge,
    serialData: serialData,
    fmt: fmt,
    fmtErr: fmtErr,
    boot: function () {
      try { E.emit('init'); } catch (e) { reportError(e); }
      if (typeof G.onInit === 'function') { try { G.onInit(); } catch (e) { reportError(e); } }
    },
    kill: function () { try { E.emit('kill'); } catch (e) { reportError(e); } },
  };
})(globalThis.__host);
