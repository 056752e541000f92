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
  var defineHidden = function (obj, name, value) {
    Object.defineProperty(obj, name, { value: value, writable: true, configurable: true, enumerable: false });
  };
  var notModelled = function (what) {
    return function () { throw new Error(what + ' is not modelled on the virtual board'); };
  };

  // ---- binary strings <-> bytes ----
  function toBinary(data) {
    if (data === undefined || data === null) return '';
    if (typeof data === 'string') return data;
    if (typeof data === 'number') return String.fromCharCode(data & 255);
    var u8;
    if (data instanceof ArrayBuffer) u8 = new Uint8Array(data);
    else if (isView(data)) u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (Array.isArray(data)) { var s0 = ''; for (var k = 0; k < data.length; k++) s0 += toBinary(data[k]); return s0; }
    else if (typeof data === 'object' && data.data !== undefined) {
      var s1 = ''; var c = data.count || 1; for (var r = 0; r < c; r++) s1 += toBinary(data.data); return s1;
    } else return String(data);
    var out = '';
    for (var i = 0; i < u8.length; i += 4096) out += String.fromCharCode.apply(null, u8.subarray(i, i + 4096));
    return out;
  }
  // Bytes cross the host bridge as ArrayBuffers: the bridge's strings are C strings (a NUL ends them).
  function bytesOut(data) {
    if (data instanceof ArrayBuffer) return data;
    if (isView(data)) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    return binToU8(toBinary(data)).buffer;
  }
  function strIn(ab) {
    if (ab === undefined) return undefined;
    var u8 = new Uint8Array(ab);
    var out = '';
    for (var i = 0; i < u8.length; i += 4096) out += String.fromCharCode.apply(null, u8.subarray(i, i + 4096));
    return out;
  }
  function binToU8(s) {
    var u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255;
    return u;
  }

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
      if (v instanceof Error) return v.name + ': ' + v.message;
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
    if (e && typeof e === 'object' && e.message !== undefined) return 'Uncaught ' + (e.name || 'Error') + ': ' + e.message;
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
  E.CRC32 = function (data) { return host('crc32', bytesOut(data)); };
  // Native multiply-accumulate: on the board a C loop, so guest JS here (a host call per element
  // pair would cost more than the loop itself).
  E.convolve = function (a, b, offset) {
    var la = a.length, lb = b.length, sum = 0;
    for (var i = 0; i < la; i++) sum += a[i] * b[(i + offset) % lb];
    return sum;
  };
  E.sum = function (arr) { var s = 0; for (var i = 0; i < arr.length; i++) s += arr[i]; return s; };
  E.variance = function (arr, mean) { var s = 0; for (var i = 0; i < arr.length; i++) { var d = arr[i] - mean; s += d * d; } return s / arr.length; };
  E.hwRand = function () { return host('rand'); };
  E.srand = function () {};
  E.toString = function () {
    var s = '';
    for (var i = 0; i < arguments.length; i++) s += toBinary(arguments[i]);
    return s;
  };
  // As Espruino's jsvIterateCallback walks them: numbers are bytes, strings one byte per char,
  // arrays and typed arrays element by element (nested too), {data, count} repeated. Byte arrays
  // are kept whole and copied with set(): the firmware concatenates every record and state image
  // with E.toUint8Array, natively on a board, and this must not make the emulator much slower.
  function byteChunks(data, out) {
    if (typeof data === 'number') out.push(data & 255);
    else if (data instanceof Uint8Array) out.push(data);
    else if (typeof data === 'string') out.push(binToU8(data));
    else if (data instanceof ArrayBuffer) out.push(new Uint8Array(data));
    else if (Array.isArray(data) || isView(data)) for (var k = 0; k < data.length; k++) byteChunks(data[k], out);
    else out.push(binToU8(toBinary(data)));
  }
  E.toUint8Array = function () {
    var chunks = [];
    for (var i = 0; i < arguments.length; i++) byteChunks(arguments[i], chunks);
    var n = 0;
    for (var c = 0; c < chunks.length; c++) n += typeof chunks[c] === 'number' ? 1 : chunks[c].length;
    var u = new Uint8Array(n);
    var at = 0;
    for (var d = 0; d < chunks.length; d++) {
      if (typeof chunks[d] === 'number') u[at++] = chunks[d];
      else { u.set(chunks[d], at); at += chunks[d].length; }
    }
    return u;
  };
  E.toArrayBuffer = function (s) { return binToU8(toBinary(s)).buffer; };
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

  var Storage = {
    read: function (name, offset, length) {
      var s = strIn(host('stRead', String(name)));
      if (s === undefined) return undefined;
      offset = offset || 0;
      return length === undefined ? s.slice(offset) : s.substr(offset, length);
    },
    readArrayBuffer: function (name) {
      var s = strIn(host('stRead', String(name)));
      return s === undefined ? undefined : binToU8(s).buffer;
    },
    readJSON: function (name, noExceptions) {
      var s = strIn(host('stRead', String(name)));
      if (s === undefined) return undefined;
      try { return JSON.parse(s); } catch (e) { if (noExceptions) return undefined; throw e; }
    },
    write: function (name, data, offset, size) {
      name = String(name);
      if (name.length === 0 || name.length > 28) throw new Error('Invalid Storage file name ' + JSON.stringify(name));
      var bin = toBinary(data);
      if (offset === undefined) return host('stWrite', name, bytesOut(bin));
      return host('stWriteAt', name, bytesOut(bin), Number(offset) || 0, size === undefined ? -1 : Number(size));
    },
    writeJSON: function (name, obj) { return Storage.write(name, JSON.stringify(obj)); },
    erase: function (name) { host('stErase', String(name)); },
    eraseAll: function () { host('stEraseAll'); },
    list: function (regex, filter) {
      var names = JSON.parse(host('stList')).filter(function (n) { return n.charCodeAt(0) !== 1; });
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
    memory: function () {
      var m = JSON.parse(host('mem'));
      // Reported in Espruino's unit (variables), scaled from the engine's bytes.
      return { free: m.free, usage: m.usage, total: m.total, history: 0, gc: 0, gctime: 0, blocksize: 16 };
    },
  };
  G.getTime = function () { return now() / 1000; };
  G.setTime = function (t) { host('setTime', Number(t) * 1000); };
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
