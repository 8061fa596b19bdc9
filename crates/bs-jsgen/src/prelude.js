// ---- BlueScript run-time support (ES5, for node and duktape) ----------------------------------
// Values: integer, enum, float -> number (floats always rounded to binary32); boolean ->
// boolean; string -> string of bytes (one char per byte); null/undefined -> undefined;
// arrays -> Int32Array (integer[]), Float32Array (float[]), Uint8Array, or Array tagged with
// its class descriptor ($k); objects -> instances of generated constructors; functions ->
// functions tagged with their signature ($s). In `any`, an integer is a number (30 bits), a
// float a $F box (reduced exponent), everything else itself.

if (typeof Math.fround !== "function") {
  Math.fround = (function () {
    var f32 = new Float32Array(1);
    return function (x) { f32[0] = x; return f32[0]; };
  })();
}

var $node = typeof process === "object" && process !== null &&
  typeof process.stdout === "object" && typeof Buffer === "function";
var $out = "";

function $write(fd, s) {
  if (s.length === 0) return;
  if ($node) {
    (fd === 1 ? process.stdout : process.stderr).write(Buffer.from(s, "latin1"));
  } else if (fd === 1) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    print(b);
  } else {
    var t = s.charAt(s.length - 1) === "\n" ? s.substring(0, s.length - 1) : s;
    try { t = decodeURIComponent(escape(t)); } catch (e) { /* keep the bytes */ }
    alert(t);
  }
}

function $flush() {
  var s = $out;
  $out = "";
  $write(1, s);
}

// ---- errors -----------------------------------------------------------------------------------

function $Err(msg, site) { this.msg = msg; this.site = site; }

function $fail(msg, site) { throw new $Err(msg, site); }

function $found(v) {
  if (typeof v === "number") return "an integer";
  if (v instanceof $F) return "a float";
  if (v === true || v === false) return "a boolean";
  if (v === undefined || v === null) return "undefined";
  return "an object";
}

function $terr(expected, v, site) {
  $fail("type error: expected " + expected + ", found " + $found(v), site);
}


function $operr(op, v, site) {
  $fail("type error: bad operand for " + $OPS[op] + ": " + $found(v), site);
}

function $divzero(site) { $fail("division by zero", site); }

function $oob(i, a, site) {
  $fail("array index out of range: " + i + " (len: " + a.length + ")", site);
}

function $badlen(n, site) {
  $fail("array index out of range: " + n + " (len: 0)", site);
}

// ---- class descriptors --------------------------------------------------------------------------

// n: printable name; arr: an array kind; g: growable; sup: superclass descriptor; e: what the
// elements of a reference array must be (descriptor, or null); fl / ml: fields and methods by
// "#name" for access through `any` (program classes only).
function $D(n, arr, g) {
  this.n = n; this.arr = arr; this.g = g;
  this.sup = null; this.e = null; this.fl = null; this.ml = null;
}

var $D1 = new $D("string", false, false);
var $D2 = new $D("integer[]", true, false);
var $D3 = new $D("float[]", true, false);
var $D4 = new $D("boolean[]", true, false);
var $D5 = new $D("Uint8Array", true, false);
var $D6 = new $D("FixedArray", true, false);
var $D7 = new $D("any[]", true, true);
var $D9 = new $D("#Function", false, false);
String.prototype.$k = $D1;
Int32Array.prototype.$k = $D2;
Float32Array.prototype.$k = $D3;
Uint8Array.prototype.$k = $D5;
Function.prototype.$k = $D9;

function $isobj(v) {
  return (typeof v === "object" || typeof v === "function") && v !== null && v.$k !== undefined;
}

function $isinst(v, d) {
  if (!$isobj(v)) return false;
  var c = v.$k;
  if (c === $D1) return false;
  if (c === d) return true;
  if (d.arr) return false;
  for (c = c.sup; c !== null; c = c.sup) if (c === d) return true;
  return false;
}

function $isarr(v) { return $isobj(v) && v.$k.arr; }

// ---- numbers ----------------------------------------------------------------------------------

// A boxed float: the binary32 value after boxing (magnitudes >= 2^32 become infinities, those
// below 2^-30 lose precision as in the 6-bit exponent of the device's boxed floats).
function $F(f) { this.f = f; }

var $P96 = Math.pow(2, -96), $P96U = Math.pow(2, 96), $TINY = Math.pow(2, -30);

function $bf(f) {
  if (f !== f) return new $F(NaN);
  var a = f < 0 ? -f : f;
  if (a >= 4294967296) return new $F(f < 0 ? -Infinity : Infinity);
  if (a < $TINY && a !== 0) f = Math.fround(f * $P96) * $P96U;
  return new $F(f);
}

function $bi(x) { return (x << 2) >> 2; }

function $idiv(a, b, site) {
  if (b === 0) $divzero(site);
  return (a / b) | 0;
}

function $imod(a, b, site) {
  if (b === 0) $divzero(site);
  return (a % b) | 0;
}

function $ipow(base, e, site) {
  if (e < 0) {
    if (base === 1) return 1;
    if (base === -1) return (e & 1) ? -1 : 1;
    if (base === 0) $divzero(site);
    return 0;
  }
  var r = 1, sq = base;
  while (e !== 0) {
    if (e & 1) r = Math.imul(r, sq);
    sq = Math.imul(sq, sq);
    e >>>= 1;
  }
  return r;
}

function $fpow(a, b) { return Math.fround(Math.pow(a, b)); }

function $f2i(f) {
  if (f !== f) return 0;
  if (f >= 2147483648) return 2147483647;
  if (f <= -2147483648) return -2147483648;
  return f | 0;
}

// C's %f of a binary32 value (exact, ties to even).
function $ffixed(f) {
  if (f !== f) return "nan";
  if (f >= 4294967296) return "inf";
  if (f <= -4294967296) return "-inf";
  var neg = f < 0 || (f === 0 && 1 / f < 0);
  var x = (neg ? -f : f) * 1000000;
  var q = Math.floor(x), r = x - q;
  if (r > 0.5 || (r === 0.5 && q % 2 === 1)) q += 1;
  var frac = q % 1000000, whole = (q - frac) / 1000000;
  var fs = "" + frac;
  while (fs.length < 6) fs = "0" + fs;
  return (neg ? "-" : "") + whole + "." + fs;
}

var $LIMIT = Math.fround(0.000001);

// The short form of floats in strings (binary32 arithmetic throughout).
function $fshort(f) {
  if (f !== f) return "nan";
  if (f >= 4294967296) return "inf";
  if (f <= -4294967296) return "-inf";
  if (f === 0) return "0.0";
  var s = "";
  if (f < 0) { s = "-"; f = -f; }
  var whole = Math.floor(f);
  s += whole + ".";
  var frac = Math.fround(f - whole), limit = $LIMIT;
  if (frac < limit) return s + "0";
  for (var i = 0; i < 6 && frac >= limit; i++) {
    frac = Math.fround(frac * 10);
    var d = frac | 0;
    s += d;
    frac = Math.fround(frac - d);
    limit = Math.fround(limit * 10);
  }
  return s;
}

// ---- strings and output -----------------------------------------------------------------------

function $text(v, fixed) {
  if (typeof v === "number") return "" + v;
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "undefined";
  if (v === true) return "true";
  if (v === false) return "false";
  if (v instanceof $F) return fixed ? $ffixed(v.f) : $fshort(v.f);
  if ($isobj(v)) return "<class " + v.$k.n + ">";
  return "?";
}

function $str(v) { return typeof v === "string" ? v : $text(v, false); }

function $cat(a, b) { return $str(a) + $str(b); }

// A float (unboxed) in the short form of strings, after boxing.
function $fs(f) { return $fshort($bf(f).f); }

function $print(v) {
  $out += $text(v, true) + "\n";
  if ($out.length > 8192) $flush();
}

function $eprint(v) {
  $flush();
  $write(2, $text(v, true) + "\n");
}

/* console.log(a, b, ...) and console.log(): the values separated by single spaces. */
function $line(vs) {
  var t = "";
  for (var i = 0; i < vs.length; i++) t += (i > 0 ? " " : "") + $text(vs[i], true);
  return t;
}

function $printv(vs) {
  $out += $line(vs) + "\n";
  if ($out.length > 8192) $flush();
}

function $eprintv(vs) {
  $flush();
  $write(2, $line(vs) + "\n");
}

function $sw(s, p) { return p.length <= s.length && s.substring(0, p.length) === p; }

function $ew(s, p) { return p.length <= s.length && s.substring(s.length - p.length) === p; }

// ---- any ---------------------------------------------------------------------------------------

function $truthy(v) {
  return v !== undefined && v !== false && v !== 0 && v !== null &&
    !(v instanceof $F && v.f === 0 && 1 / v.f > 0);
}

function $toi(v, site) {
  if (typeof v !== "number") $terr("integer", v, site);
  return v;
}

function $tof(v, site) {
  if (typeof v === "number") return Math.fround(v);
  if (!(v instanceof $F)) $terr("float", v, site);
  return v.f;
}

function $tos(v, site) {
  if (typeof v !== "string") $terr("string", v, site);
  return v;
}

function $tosn(v, site) {
  if (v !== undefined && typeof v !== "string") $terr("string", v, site);
  return v;
}

function $ton(v, site) {
  if (v !== undefined) $terr("undefined", v, site);
  return v;
}

function $toarr(v, site) {
  if (!$isarr(v)) $terr("array", v, site);
  return v;
}

/* To `object`: a class instance or a string. */
function $toobj(v, site) {
  if (typeof v !== "string" && !($isobj(v) && !v.$k.arr && v.$k !== $D9)) $terr("object", v, site);
  return v;
}

function $toobjn(v, site) { return v === undefined ? v : $toobj(v, site); }

function $tocls(v, d, nullable, site) {
  var ok = d === $D7 ? $isarr(v) : $isinst(v, d); // any[]: the view of every array kind
  if (!ok && !(nullable && v === undefined)) $terr(d.n, v, site);
  return v;
}

function $tofn(v, name, site) {
  if (typeof v !== "function" || v.$s === undefined || v.$s.n !== name) {
    $fail("type error: not a function of this type: " + $found(v), site);
  }
  return v;
}

function $isnum(v) { return typeof v === "number" || v instanceof $F; }

function $num(v) { return typeof v === "number" ? Math.fround(v) : v.f; }

// ++ and -- on a boxed value: only a number (a string is not concatenated with 1).
function $incdec(op, v, site) {
  if (!$isnum(v)) $operr(op, v, site);
  return $arith(op === $OP_INC ? $OP_ADD : $OP_SUB, v, 1, site);
}

function $arith(op, a, b, site) {
  if (op === $OP_ADD && (typeof a === "string" || typeof b === "string")) return $cat(a, b);
  if (op === $OP_REM) {
    if (typeof a !== "number" || typeof b !== "number") {
      $operr(op, typeof a === "number" ? b : a, site);
    }
  } else if (!$isnum(a) || !$isnum(b)) {
    $operr(op, $isnum(a) ? b : a, site);
  }
  if (typeof a === "number" && typeof b === "number") {
    switch (op) {
      case $OP_ADD: return $bi((a + b) | 0);
      case $OP_SUB: return $bi((a - b) | 0);
      case $OP_MUL: return $bi(Math.imul(a, b));
      case $OP_DIV: return $bi($idiv(a, b, site));
      case $OP_REM: return $bi($imod(a, b, site));
      case $OP_POW: return $bi($ipow(a, b, site));
    }
  } else {
    var x = $num(a), y = $num(b);
    switch (op) {
      case $OP_ADD: return $bf(Math.fround(x + y));
      case $OP_SUB: return $bf(Math.fround(x - y));
      case $OP_MUL: return $bf(Math.fround(x * y));
      case $OP_DIV: return $bf(Math.fround(x / y));
      case $OP_POW: return $bf($fpow(x, y));
    }
  }
  $operr(op, a, site);
}

function $cmp(op, a, b, site) {
  var o;
  if ($isnum(a) && $isnum(b)) {
    if (typeof a === "number" && typeof b === "number") {
      o = a < b ? -1 : (a > b ? 1 : 0);
    } else {
      var x = $num(a), y = $num(b);
      o = x < y ? -1 : (x > y ? 1 : (x === y ? 0 : 2));
    }
  } else if (typeof a === "string" && typeof b === "string") {
    o = a < b ? -1 : (a > b ? 1 : 0);
  } else {
    $operr(op, ($isnum(a) || typeof a === "string") ? b : a, site);
  }
  switch (op) {
    case $OP_LT: return o === -1;
    case $OP_LE: return o === -1 || o === 0;
    case $OP_GT: return o === 1;
    default: return o === 0 || o === 1;
  }
}

// Boxed equality: the same word (floats by their bits), or two strings with the same bytes.
function $eq(a, b) {
  if (a === b) return true;
  if (a instanceof $F && b instanceof $F) {
    var x = a.f, y = b.f;
    if (x !== x) return y !== y;
    return x === y && 1 / x === 1 / y;
  }
  return false;
}

function $neg(a, site) {
  if (typeof a === "number") return $bi((-a) | 0);
  if (a instanceof $F) return $bf(-a.f);
  $operr(11, a, site);
}

// ---- arrays ------------------------------------------------------------------------------------

function $vlit(d, a) { a.$k = d; return a; }

function $vnew(d, n, init, site) {
  if (n < 0) $badlen(n, site);
  var a = [];
  for (var i = 0; i < n; i++) a.push(init);
  a.$k = d;
  return a;
}

/* new Array<T>(src): a new array of descriptor d with src's elements, each checked with `check`
   (a type code, or a class's descriptor); with bylen, an integer src is a length instead. */
function $acopy(src, d, check, nullable, bylen, site) {
  if (bylen && typeof src === "number") {
    if (d === $D2) return $inew(src, 0, site);
    if (d === $D3) return $fnew(src, 0, site);
    return $vnew(d, src, d === $D4 ? false : undefined, site);
  }
  if (!$isarr(src)) $terr("array", src, site);
  var n = src.length, i, v, a;
  if (d === $D2) a = $inew(n, 0, site);
  else if (d === $D3) a = $fnew(n, 0, site);
  else a = $vnew(d, n, d === $D4 ? false : undefined, site);
  for (i = 0; i < n; i++) {
    v = $aget(src, i, site);
    if (d === $D2 || d === $D3 || d === $D4) {
      $aset(a, i, v, site);
      continue;
    }
    if (v === undefined) {
      if (!nullable) $terr(typeof check === "number" ? $TNAMES[check] : check.n, v, site);
    } else if (check === 4) $tos(v, site);
    else if (check === 7) $toobj(v, site);
    else if (check === 8) $toarr(v, site);
    else if (typeof check !== "number") $tocls(v, check, false, site);
    a[i] = v;
  }
  return a;
}

var $TNAMES = { 4: "string", 6: "any", 7: "object", 8: "array" };

function $inew(n, init, site) {
  if (n < 0) $badlen(n, site);
  var a = new Int32Array(n);
  if (init !== 0) for (var i = 0; i < n; i++) a[i] = init;
  return a;
}

function $fnew(n, init, site) {
  if (n < 0) $badlen(n, site);
  var a = new Float32Array(n);
  if (init !== 0 || 1 / init < 0) for (var i = 0; i < n; i++) a[i] = init;
  return a;
}

function $u8new(n, init, site) {
  if (n < 0) $badlen(n, site);
  var a = new Uint8Array(n);
  init &= 255;
  if (init !== 0) for (var i = 0; i < n; i++) a[i] = init;
  return a;
}

function $growable(a, site) {
  if (!$isarr(a) || !a.$k.g) $fail("type error: expected any[], found an object", site || 0);
}

// An element stored into a growable array seen through any[] must fit its element type (e: a
// class, string, any array kind, or a function of signature ef; en: undefined too).
function $velem(a, v, site) {
  var k = a.$k, e = k.e;
  if (e === null || (k.en && v === undefined)) return v;
  if (e === $D9) return $tofn(v, k.ef, site);
  if (e === $D1) return $tos(v, site);
  return $tocls(v, e, false, site);
}
function $push(a, v, site) { $growable(a, site); return a.push($velem(a, v, site)); }
function $unshift(a, v, site) { $growable(a, site); return a.unshift($velem(a, v, site)); }
function $pop(a) { $growable(a); return a.pop(); }
function $shift(a) { $growable(a); return a.shift(); }

// Element access through the any[] view of an array of any kind.
function $aget(a, i, site) {
  if (i >>> 0 >= a.length) $oob(i, a, site);
  var k = a.$k;
  if (k === $D2) return $bi(a[i]);
  if (k === $D3) return $bf(a[i]);
  return a[i];
}

function $aset(a, i, v, site) {
  if (i >>> 0 >= a.length) $oob(i, a, site);
  var k = a.$k;
  if (k === $D2 || k === $D5) a[i] = $toi(v, site);
  else if (k === $D3) a[i] = $tof(v, site);
  else if (k === $D4) a[i] = $truthy(v);
  else a[i] = $velem(a, v, site);
  return v;
}

// ---- properties and calls through any ----------------------------------------------------------

function $pcls(o) {
  return (typeof o === "object" && o !== null && o.$k !== undefined && o.$k.fl !== null)
    ? o.$k : undefined;
}

function $pget(o, name, site) {
  if (name === "length" && (typeof o === "string" || $isarr(o))) return o.length;
  var d = $pcls(o), f = d === undefined ? undefined : d.fl["#" + name];
  if (f === undefined) $fail("type error: no such property: " + name, site);
  var v = o[f[0]];
  if (f[1] === $TYPE_INTEGER) return $bi(v);
  if (f[1] === $TYPE_FLOAT) return $bf(v);
  return v;
}

function $pset(o, name, v, site) {
  var d = $pcls(o), f = d === undefined ? undefined : d.fl["#" + name];
  if (f === undefined) $fail("type error: no such property: " + name, site);
  var w;
  switch (f[1]) {
    case $TYPE_INTEGER: w = $toi(v, site); break;
    case $TYPE_FLOAT: w = $tof(v, site); break;
    case $TYPE_BOOLEAN: w = $truthy(v); break;
    case $TYPE_STRING: w = (f[3] && v === undefined) ? v : $tos(v, site); break;
    default:
      if (f[4] !== null) $tofn(v, f[4], site);
      w = f[2] !== null ? $tocls(v, f[2], f[3], site) : v;
  }
  o[f[0]] = w;
  return v;
}

function $conv(c, v, site) {
  if (typeof c === "function") return c(v, site);
  switch (c) {
    case "i": return $toi(v, site);
    case "f": return $tof(v, site);
    case "b": return $truthy(v);
    case "s": return $tos(v, site);
    default: return v;
  }
}

function $boxr(c, r) {
  switch (c) {
    case "v": return undefined;
    case "i": return $bi(r);
    case "f": return $bf(r);
    default: return r;
  }
}

function $dyn(f, self, sig, args, name, site) {
  if (args.length !== sig.p.length) {
    $fail("type error: wrong number of arguments for a call through any (" + name + ")", site);
  }
  var a = [];
  for (var i = 0; i < args.length; i++) a.push($conv(sig.p[i], args[i], site));
  return $boxr(sig.r, f.apply(self, a));
}

function $call(f, args, site) {
  if (typeof f !== "function" || f.$s === undefined) {
    $fail("type error: not a function of this type: " + $found(f), site);
  }
  return $dyn(f, undefined, f.$s, args, "#0", site);
}

function $argc(args, n, name, site) {
  if (args.length !== n) {
    $fail("type error: wrong number of arguments for a call through any (" + name + ")", site);
  }
}

function $mcall(o, name, args, site) {
  if (typeof o === "string") {
    switch (name) {
      case "startsWith": $argc(args, 1, name, site); return $sw(o, $tos(args[0], site));
      case "endsWith": $argc(args, 1, name, site); return $ew(o, $tos(args[0], site));
      case "substring":
        $argc(args, 2, name, site);
        return o.substring($toi(args[0], site), $toi(args[1], site));
    }
  }
  if ($isarr(o)) {
    switch (name) {
      case "push": $argc(args, 1, name, site); return $push(o, args[0], site);
      case "unshift": $argc(args, 1, name, site); return $unshift(o, args[0], site);
      case "pop": $argc(args, 0, name, site); return $pop(o);
      case "shift": $argc(args, 0, name, site); return $shift(o);
    }
  }
  var d = $pcls(o), m = d === undefined ? undefined : d.ml["#" + name];
  if (m === undefined) $fail("type error: no such method: " + name, site);
  return $dyn(o[m[0]], o, m[1], args, name, site);
}

// ---- time ---------------------------------------------------------------------------------------

var $t0 = -1;

function $clock() {
  return (typeof performance === "object" && performance !== null &&
    typeof performance.now === "function") ? performance.now() : Date.now();
}

function $now() {
  var t = $clock();
  if ($t0 < 0) $t0 = t;
  return Math.fround(t - $t0);
}

function $delay(ms) {
  var end = $clock() + ms;
  while ($clock() < end) { /* busy wait: there is no sleep in duktape */ }
}

// Timers need the device's event loop; programs compiled to JavaScript (for comparisons) have none.
function $no_timers() {
  throw new Error("timers are not supported by the JavaScript back end");
}

// ---- running the program ------------------------------------------------------------------------

function $run(main) {
  var failed = null;
  try {
    main();
  } catch (e) {
    failed = e;
  }
  $flush();
  if (failed === null) return;
  var msg;
  if (failed instanceof $Err) {
    var at = $SITES[failed.site];
    msg = (at === undefined ? "" : at + ": ") + "runtime error: " + failed.msg;
  } else if (failed instanceof RangeError) {
    msg = "runtime error: stack overflow (too deep recursion)";
  } else {
    msg = "runtime error: " + failed;
  }
  $write(2, msg + "\n");
  if ($node) {
    process.exitCode = 1;
  } else {
    throw new Error("the program stopped with a run-time error");
  }
}
