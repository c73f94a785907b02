// banmian static search: a dependency-free mirror of the Go package
// internal/search (analysis.go, plan.go, result.go, static.go). It runs the
// same query plan and scoring over the static index files beside it, so a
// static host returns the same results as the server. Change both together.
(function (root) {
  "use strict";

  var VERSION = "__VERSION__"; // the format version (embed.go puts it here)
  // mapping.go: text fields and boosts, and the field numbers of the
  // static index (indexedFields).
  var TEXT_FIELDS = [["title", 3], ["kicker", 2], ["subtitle", 2], ["byline", 0.5], ["tagtext", 1], ["body", 1]];
  var PHRASE_BOOST = 1.5, PINYIN_BOOST = 1.5, SLOT_TIE = 0.3; // eval.go: slotTie
  var CHARS = "chars", PINYIN = "py", CREDIT = "credit", TAG = "tag", YEAR = "year";
  var FIELDS = [];
  TEXT_FIELDS.forEach(function (f) { FIELDS.push(f[0], f[0] + "3"); });
  FIELDS.push(CHARS, PINYIN, CREDIT, TAG, YEAR);
  // Traditional to simplified characters, pairs back to back (embed.go
  // puts the engine's tsfold.txt here).
  var TS_FOLD = "__TS_FOLD__";
  var tsFold = Object.create(null);
  (function () {
    var cs = Array.from(TS_FOLD);
    for (var i = 0; i + 1 < cs.length; i += 2) tsFold[cs[i]] = cs[i + 1];
  })();
  var DEFAULT_LIMIT = 10, MAX_LIMIT = 100;
  var SNIPPET_RUNES = 90, SNIPPET_LEAD = 12;

  // ---- analysis.go ----
  function keepPunct(c) {
    if (c >= 0x3000 && c <= 0x303f) return c !== 0x3000;
    if (c >= 0xff01 && c <= 0xff65) return !isASCIIAlnum(c - 0xfee0);
    if (c >= 0xfe10 && c <= 0xfe6f) return true;
    if (c >= 0x2010 && c <= 0x2027) return true;
    return c === 0xb7;
  }
  function isASCIIAlnum(c) {
    return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  }
  function normalize(s) {
    var out = "", seg = "";
    for (var ch of s) {
      if (keepPunct(ch.codePointAt(0))) {
        out += seg.normalize("NFKC") + ch;
        seg = "";
      } else {
        seg += ch;
      }
    }
    return out + seg.normalize("NFKC");
  }
  var CJK = /^(?:\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul})$/u;
  var WORD = /^[\p{L}\p{N}\p{M}]$/u;
  function fold(ch) {
    var c = ch.charCodeAt(0);
    if (c < 0x80) return c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch;
    var t = tsFold[ch];
    return t === undefined ? ch : t;
  }
  // units: [{t, s, e, r}] with rune offsets, as units() in Go.
  function units(s) {
    var out = [], run = 0, sep = true, word = null, wordStart = 0, pos = 0;
    function flush() {
      if (word !== null) {
        out.push({ t: word, s: wordStart, e: pos, r: run });
        word = null;
      }
    }
    for (var ch of s) {
      ch = fold(ch);
      if (CJK.test(ch)) {
        flush();
        if (sep) { run++; sep = false; }
        out.push({ t: ch, s: pos, e: pos + 1, r: run });
      } else if (WORD.test(ch)) {
        if (word === null) {
          if (sep) { run++; sep = false; }
          wordStart = pos;
          word = "";
        }
        word += ch;
      } else {
        flush();
        sep = true;
      }
      pos++;
    }
    flush();
    return out;
  }
  function dedupe(ss) {
    var seen = Object.create(null), out = [];
    for (var i = 0; i < ss.length; i++) {
      if (ss[i] === "" || seen[ss[i]]) continue;
      seen[ss[i]] = true;
      out.push(ss[i]);
    }
    return out;
  }

  // ---- plan.go ----
  var CLOSERS = { '"': '"', "\u201c": "\u201d", "\u300c": "\u300d", "\u300e": "\u300f" };
  function parseQuery(text) {
    text = normalize(text);
    var runs = [];
    function add(s, quoted) {
      var us = units(s);
      for (var i = 0; i < us.length;) {
        var j = i, r = { units: [], quoted: quoted };
        while (j < us.length && us[j].r === us[i].r && (j === i || !scriptBreak(us[j - 1].t, us[j].t))) { r.units.push(us[j].t); j++; }
        runs.push(r);
        i = j;
      }
    }
    while (text !== "") {
      var i = -1, open = "";
      for (var k = 0; k < text.length; k++) {
        if (CLOSERS[text[k]] !== undefined) { i = k; open = text[k]; break; }
      }
      if (i < 0) { add(text, false); break; }
      add(text.slice(0, i), false);
      var rest = text.slice(i + open.length);
      var j = rest.indexOf(CLOSERS[open]);
      if (j < 0) { add(rest, true); break; }
      add(rest.slice(0, j), true);
      text = rest.slice(j + CLOSERS[open].length);
    }
    return runs;
  }
  function nGrams(us, n) {
    if (n === 2 && us.length === 1) return [us[0]];
    var out = [];
    for (var i = 0; i + n <= us.length; i++) out.push(us.slice(i, i + n).join(""));
    return dedupe(out);
  }
  function isWordUnit(u) { return !CJK.test(Array.from(u)[0]); }
  function letterWord(u) { return isWordUnit(u) && !/^[0-9]+$/.test(u); }
  function scriptBreak(a, b) {
    return (letterWord(a) && !isWordUnit(b)) || (!isWordUnit(a) && letterWord(b));
  }
  function pinyinWord(u) { return /^[a-z]{2,}$/.test(u); }
  function anyField(gram) {
    return TEXT_FIELDS.map(function (f) { return [{ field: f[0], gram: gram, boost: f[1] }]; });
  }
  function phraseGroup(us) {
    var tri = nGrams(us, 3);
    return TEXT_FIELDS.map(function (f) {
      return tri.map(function (t) { return { field: f[0] + "3", gram: t, boost: f[1] * PHRASE_BOOST }; });
    });
  }
  function unitGroup(u) {
    var g = [[{ field: CHARS, gram: u, boost: 1 }]];
    if (pinyinWord(u)) g.push([{ field: PINYIN, gram: u, boost: PINYIN_BOOST }]);
    return g;
  }
  function planQuery(text, relaxed) {
    var runs = parseQuery(text);
    var p = { must: [], should: [], near: [], needles: [], backup: [], terms: [], pinyin: [] };
    var any = [];
    runs.forEach(function (r) {
      var k = r.units.length;
      p.needles.push(r.units);
      var qt = { text: r.units.join(""), need: [] };
      if (k === 1) {
        qt.need = [unitGroup(r.units[0])];
        if (pinyinWord(r.units[0])) p.pinyin.push(r.units[0]);
      } else if (r.quoted && k >= 3) {
        qt.need = [phraseGroup(r.units)];
      } else if (k <= 4) {
        nGrams(r.units, 2).forEach(function (g) { qt.need.push(anyField(g)); });
      } else {
        var g = [];
        nGrams(r.units, 2).forEach(function (b) { g = g.concat(anyField(b)); });
        qt.need = [g];
      }
      p.terms.push(qt);
      if (relaxed && k === 1) {
        any = any.concat(qt.need[0]);
      } else if (relaxed) {
        nGrams(r.units, 2).forEach(function (b) { any = any.concat(anyField(b)); });
      } else {
        p.must = p.must.concat(qt.need);
      }
      if (k >= 3 && !(r.quoted && !relaxed)) p.should.push(phraseGroup(r.units));
    });
    if (any.length > 0) p.must.push(any);
    for (var k = 1; k < runs.length; k++) {
      var a = runs[k - 1].units, b = runs[k].units;
      var us = a.slice(Math.max(0, a.length - 2)).concat(b.slice(0, 2));
      if (us.length >= 3) p.near.push(phraseGroup(us));
    }
    runs.forEach(function (r) {
      if (r.units.length > 2) {
        for (var i = 0; i + 2 <= r.units.length; i++) p.backup.push(r.units.slice(i, i + 2));
      }
    });
    return p;
  }
  function relaxable(text) {
    var runs = parseQuery(text);
    if (runs.length > 1) return true;
    return runs.length === 1 && runs[0].units.length > 2;
  }
  function isEmpty(p) { return p.must.length === 0 && p.should.length === 0; }

  // ---- result.go ----
  function quantize(s) {
    if (s === 0 || !isFinite(s)) return 0;
    var e = Math.floor(Math.log10(Math.abs(s)));
    var p = Math.pow(10, 8 - e);
    return Math.round(s * p) / p;
  }
  function escapeHTML(s) {
    return s.replace(/[&'<>"]/g, function (c) {
      return { "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;" }[c];
    });
  }
  function matchNeedles(us, needles) {
    var out = [];
    needles.forEach(function (n) {
      if (n.length === 0) return;
      for (var i = 0; i + n.length <= us.length; i++) {
        var ok = true;
        for (var k = 0; k < n.length; k++) {
          if (us[i + k].t !== n[k] || us[i + k].r !== us[i].r) { ok = false; break; }
        }
        if (ok) out.push({ s: us[i].s, e: us[i + n.length - 1].e });
      }
    });
    return out;
  }
  function findSpans(us, needles, backup) {
    var out = matchNeedles(us, needles);
    if (out.length === 0) out = matchNeedles(us, backup);
    if (out.length === 0) return [];
    out.sort(function (a, b) { return a.s !== b.s ? a.s - b.s : a.e - b.e; });
    var merged = [out[0]];
    for (var i = 1; i < out.length; i++) {
      var last = merged[merged.length - 1];
      if (out[i].s <= last.e) {
        if (out[i].e > last.e) last.e = out[i].e;
      } else {
        merged.push(out[i]);
      }
    }
    return merged;
  }
  function markHTML(rs, from, to, spans) {
    var b = "", pos = from;
    spans.forEach(function (sp) {
      var st = Math.max(sp.s, from), en = Math.min(sp.e, to);
      if (st >= en) return;
      b += escapeHTML(rs.slice(pos, st).join("")) + "<mark>" + escapeHTML(rs.slice(st, en).join("")) + "</mark>";
      pos = en;
    });
    return b + escapeHTML(rs.slice(pos, to).join(""));
  }
  function highlightTitle(title, p) {
    var rs = Array.from(title);
    return markHTML(rs, 0, rs.length, findSpans(units(title), p.needles, p.backup));
  }
  function snippet(body, p) {
    var rs = Array.from(body.replace(/\n/g, " "));
    var spans = findSpans(units(body), p.needles, p.backup);
    var start = 0;
    if (spans.length > 0) {
      var best = 0, bestN = -1;
      for (var i = 0; i < spans.length && i < 64; i++) {
        var ws = Math.max(0, spans[i].s - SNIPPET_LEAD), n = 0;
        for (var j = i; j < spans.length; j++) {
          if (spans[j].e > ws + SNIPPET_RUNES) break;
          n++;
        }
        if (n > bestN) { best = ws; bestN = n; }
      }
      start = best;
    }
    var end = Math.min(rs.length, start + SNIPPET_RUNES);
    if (end - start < SNIPPET_RUNES) start = Math.max(0, end - SNIPPET_RUNES);
    var b = start > 0 ? "…" : "";
    b += markHTML(rs, start, end, spans);
    if (end < rs.length) b += "…";
    return b;
  }
  // ---- pinyin.go ----
  var PINYIN_MAX_RUN = 4;
  function readsAs(chars, w) {
    if (w.length === chars.length && chars.every(function (rs, k) {
      return rs.some(function (r) { return r[0] === w[k]; });
    })) return true;
    function full(k, w) {
      if (k === chars.length) return w === "";
      return chars[k].some(function (r) { return w.slice(0, r.length) === r && full(k + 1, w.slice(r.length)); });
    }
    return full(0, w);
  }
  // pinyinNeedles: the Han runs of title, credit and tags that read as
  // one of words, with the readings the record holds (d.py).
  function pinyinNeedles(d, words, readings) {
    var out = [], seen = Object.create(null);
    [d.title || "", d.credit || ""].concat(d.tags || []).forEach(function (text) {
      var chars = [], run = [];
      function flush() {
        for (var i = 0; i < run.length; i++) {
          for (var j = i + 2; j <= run.length && j - i <= PINYIN_MAX_RUN; j++) {
            var s = chars.slice(i, j).join("");
            if (seen[s]) continue;
            for (var k = 0; k < words.length; k++) {
              if (readsAs(run.slice(i, j), words[k])) {
                seen[s] = true;
                out.push(chars.slice(i, j));
                break;
              }
            }
          }
        }
        chars = [];
        run = [];
      }
      for (var ch of text) {
        ch = fold(ch);
        var rs = readings[ch];
        if (!rs || rs.length === 0) { flush(); continue; }
        chars.push(ch);
        run.push(rs);
      }
      flush();
    });
    return out;
  }

  function newHit(d, score, p, missing) {
    if (p.pinyin.length > 0) {
      p = { needles: p.needles.concat(pinyinNeedles(d, p.pinyin, d.py || {})), backup: p.backup };
    }
    var h = { id: d.id, title: d.title };
    if (d.kicker) h.kicker = d.kicker;
    if (d.subtitle) h.subtitle = d.subtitle;
    h.date = String(d.date).slice(0, 10);
    if (d.credit) h.credit = d.credit;
    if (d.edition) h.edition = d.edition;
    if (d.url) h.url = d.url;
    h.score = score;
    h.titleHTML = highlightTitle(d.title, p);
    if (d.kicker) h.kickerHTML = highlightTitle(d.kicker, p);
    if (d.subtitle) h.subtitleHTML = highlightTitle(d.subtitle, p);
    if (d.credit) h.creditHTML = highlightTitle(d.credit, p);
    h.snippet = snippet(d.body, p);
    if (missing.length) h.missing = missing;
    return h;
  }
  function sortFacet(m) {
    var fc = Object.keys(m).map(function (k) { return { value: k, count: m[k] }; });
    fc.sort(function (a, b) {
      if (a.count !== b.count) return b.count - a.count;
      return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    });
    return fc;
  }

  // ---- static.go ----
  function fnv1a(bytes) {
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  var enc = new TextEncoder(), dec = new TextDecoder();
  function day(s) { // "YYYY-MM-DD..." to days since 1970-01-01
    return Math.floor(Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / 86400000);
  }

  function zigzag(u) { return u % 2 === 1 ? -(u + 1) / 2 : u / 2; }
  function reader(b) {
    var off = 0;
    return {
      uv: function () {
        var x = 0, mul = 1;
        for (;;) {
          if (off >= b.length) throw new Error("搜索索引已损坏");
          var c = b[off++];
          x += (c & 0x7f) * mul;
          if (c < 0x80) return x;
          mul *= 128;
        }
      },
      get off() { return off; },
      set off(v) { off = v; },
    };
  }
  function shardName(seg, n) {
    var h = n.toString(16);
    while (h.length < 3) h = "0" + h;
    return "s/" + seg + "-" + h + ".bin";
  }
  function bsearch(ids, x) {
    var lo = 0, hi = ids.length;
    while (lo < hi) {
      var m = (lo + hi) >> 1;
      if (ids[m] < x) lo = m + 1; else hi = m;
    }
    return lo < ids.length && ids[lo] === x;
  }
  function idf(total, df) {
    var v = Math.log(1 + (total - df + 0.5) / (df + 0.5));
    return v * v;
  }
  var TEXT_NAMES = Object.create(null);
  TEXT_FIELDS.forEach(function (f) { TEXT_NAMES[f[0]] = "text"; TEXT_NAMES[f[0] + "3"] = "phrase"; });
  function dfKey(t) { return (TEXT_NAMES[t.field] || t.field) + "\u0000" + t.gram; }
  function missingTerms(p, leaves, i) {
    var out = [];
    p.terms.forEach(function (qt) {
      var ok = qt.need.every(function (g) {
        return g.some(function (c) {
          return c.every(function (t) { var l = leaves[key(t)]; return l && bsearch(l.ids, i); });
        });
      });
      if (!ok) out.push(qt.text);
    });
    return out;
  }
  function key(t) { return t.field + "\u0000" + t.gram + "\u0000" + t.boost; }

  // inflate undoes the raw DEFLATE of a story record or long postings.
  function inflate(b) {
    var stream = new Blob([b]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (a) { return new Uint8Array(a); });
  }

  // openStatic opens a static index; fetchBytes(name, from, to) resolves
  // to a Uint8Array of the file name relative to the index directory, or
  // of its bytes [from, to) when from is given.

  function openStatic(fetchBytes) {
    var parts = Object.create(null);
    var meta;
    return fetchBytes("meta.json").then(function (b) {
      meta = JSON.parse(dec.decode(b));
      if (meta.version !== VERSION) throw new Error("search index version " + meta.version + ", want " + VERSION);
      return fetchBytes(meta.docs);
    }).then(function (docsBin) {
      var rd = reader(docsBin), n = meta.n;
      var days = new Array(n), credit = new Array(n), offset = new Array(n), size = new Array(n);
      var alive = new Array(n).fill(false), rank = new Int32Array(n), seg = new Array(n), base = [];
      meta.segments.forEach(function (sg, k) {
        base.push(k ? base[k - 1] + meta.segments[k - 1].n : 0);
      });
      var d = meta.base, off = 0, k = 0;
      for (var i = 0; i < n; i++) {
        while (k + 1 < meta.segments.length && i >= base[k + 1]) k++;
        seg[i] = k;
        d += zigzag(rd.uv());
        days[i] = d;
        var cr = rd.uv();
        credit[i] = Math.floor(cr / 2);
        size[i] = rd.uv();
        if ((i - base[k]) % meta.chunk === 0) off = 0;
        offset[i] = off;
        off += size[i];
        alive[i] = cr % 2 === 0;
      }
      var last = -1;
      for (var j = 0; j < meta.live; j++) {
        last += 1 + zigzag(rd.uv());
        rank[last] = j;
      }
      // part fetches bytes [from, to) of a file once.
      function part(name, from, to) {
        if (from === to) return Promise.resolve(new Uint8Array(0));
        var k = name + "#" + from;
        if (!parts[k]) parts[k] = fetchBytes(name, from, to);
        return parts[k];
      }
      function u32(b, i) {
        if (i + 4 > b.length) throw new Error("搜索索引已损坏");
        return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
      }
      // findEntry returns the entry of (gram, field) in a bucket:
      // {n, short} or {n, off, size} for long (compressed) postings.
      function findEntry(b, gram, field) {
        var rd = reader(b);
        while (rd.off < b.length) {
          var l = rd.uv(), o = rd.off, eq = l === gram.length;
          for (var i = 0; eq && i < l; i++) eq = b[o + i] === gram[i];
          rd.off = o + l;
          var f = rd.uv(), cnt = rd.uv(), tag = rd.uv(), size = Math.floor(tag / 2), e = { n: cnt };
          if (tag % 2 === 1) {
            e.off = rd.uv();
            e.size = size;
          } else {
            e.short = b.subarray(rd.off, rd.off + size);
            rd.off += size;
          }
          if (eq && f === field) return e;
        }
        return null;
      }
      function decodePostings(b, n) {
        if (2 * n > b.length) throw new Error("搜索索引已损坏");
        var rd = reader(b), ids = new Array(n), id = 0;
        for (var j = 0; j < n; j++) { id += rd.uv(); ids[j] = id; }
        if (b.length - rd.off !== n) throw new Error("搜索索引已损坏");
        return { ids: ids, imps: b.subarray(rd.off) };
      }
      // shardPostings reads (gram, field) in a shard as static.go does:
      // the bucket table, the gram's bucket, then long postings.
      function shardPostings(sg, h, g, fno) {
        var name = shardName(sg.id, h % sg.shards), nb = sg.buckets, v = Math.floor(h / sg.shards) % nb;
        return part(name, 0, 4 * (nb + 1)).then(function (t) {
          var lo = u32(t, 4 * v), hi = u32(t, 4 * v + 4), end = u32(t, 4 * nb);
          return part(name, lo, hi).then(function (b) {
            var e = findEntry(b, g, fno);
            if (e === null) return { ids: [], imps: [] };
            if (e.short) return decodePostings(e.short, e.n);
            return part(name, end + e.off, end + e.off + e.size).then(inflate).then(function (p) { return decodePostings(p, e.n); });
          });
        });
      }
      function postings(field, gram) {
        var g = enc.encode(gram), h = fnv1a(g), fno = FIELDS.indexOf(field);
        return Promise.all(meta.segments.map(function (sg) {
          return shardPostings(sg, h, g, fno);
        })).then(function (es) {
          var ids = [], imps = [];
          es.forEach(function (e, k) {
            for (var j = 0; j < e.ids.length; j++) {
              var id = base[k] + e.ids[j];
              if (alive[id]) { ids.push(id); imps.push(e.imps[j]); }
            }
          });
          return { ids: ids, imps: imps };
        });
      }
      function doc(i) {
        var k = seg[i], sg = meta.segments[k];
        var name = "d/" + sg.id + "-" + Math.floor((i - base[k]) / meta.chunk) + ".bin";
        return part(name, offset[i], offset[i] + size[i]).then(inflate).then(function (b) { return JSON.parse(dec.decode(b)); });
      }
      function run(q, p) {
        var limit = !(q.limit > 0) ? DEFAULT_LIMIT : Math.min(q.limit, MAX_LIMIT);
        var offset = Math.max(q.offset || 0, 0);
        var terms = [], seen = Object.create(null);
        [p.must, p.should, p.near].forEach(function (gs) {
          gs.forEach(function (g) {
            g.forEach(function (c) {
              c.forEach(function (t) {
                if (!seen[key(t)]) { seen[key(t)] = true; terms.push(t); }
              });
            });
          });
        });
        var wanted = terms.map(function (t) { return postings(t.field, t.gram); });
        if (q.credit) wanted.push(postings(CREDIT, normalize(q.credit)));
        if (q.tag) wanted.push(postings(TAG, normalize(q.tag)));
        return Promise.all(wanted).then(function (lists) {
          var leaves = Object.create(null), union = Object.create(null);
          terms.forEach(function (t, k) {
            leaves[key(t)] = { ids: lists[k].ids, imps: lists[k].imps };
            var u = union[dfKey(t)] || (union[dfKey(t)] = { set: Object.create(null), n: 0 });
            lists[k].ids.forEach(function (id) { if (!u.set[id]) { u.set[id] = true; u.n++; } });
          });
          terms.forEach(function (t) { leaves[key(t)].idf = idf(meta.live, union[dfKey(t)].n); });
          var ok = alive.slice();
          var li = terms.length;
          function keep(l) {
            var inSet = new Array(n).fill(false);
            l.ids.forEach(function (id) { inSet[id] = true; });
            for (var i = 0; i < n; i++) ok[i] = ok[i] && inSet[i];
          }
          if (q.credit) keep(lists[li++]);
          if (q.tag) keep(lists[li++]);
          var from = q.from ? day(q.from) : null, to = q.to ? day(q.to) : null;
          if (from !== null || to !== null) {
            for (var i = 0; i < n; i++) {
              if ((from !== null && days[i] < from) || (to !== null && days[i] > to)) ok[i] = false;
            }
          }
          var score = new Float64Array(n), match = ok;
          if (!isEmpty(p)) {
            var groupScore = function (g) {
              var acc = new Float64Array(n), cnt = new Int32Array(n);
              for (var i = 0; i < g.length;) {
                var j = i;
                while (j < g.length && g[j][0].gram === g[i][0].gram) j++;
                var smax = new Float64Array(n), ssum = new Float64Array(n), sseen = new Uint8Array(n);
                g.slice(i, j).forEach(function (c) {
                  var cs = new Float64Array(n), cc = new Int32Array(n);
                  c.forEach(function (t) {
                    var l = leaves[key(t)], w = t.boost * l.idf;
                    for (var k = 0; k < l.ids.length; k++) { cs[l.ids[k]] += w * l.imps[k]; cc[l.ids[k]]++; }
                  });
                  for (var d = 0; d < n; d++) {
                    if (cc[d] === c.length && c.length > 0) {
                      ssum[d] += cs[d];
                      if (!sseen[d]) { sseen[d] = 1; smax[d] = cs[d]; } else if (cs[d] > smax[d]) smax[d] = cs[d];
                    }
                  }
                });
                for (var d = 0; d < n; d++) if (sseen[d]) { acc[d] += smax[d] + SLOT_TIE * (ssum[d] - smax[d]); cnt[d]++; }
                i = j;
              }
              var m = new Array(n).fill(false);
              for (var d = 0; d < n; d++) if (cnt[d] > 0) m[d] = true;
              return [acc, m];
            };
            p.must.forEach(function (g) {
              var r = groupScore(g);
              for (var i = 0; i < n; i++) { match[i] = match[i] && r[1][i]; score[i] += r[0][i]; }
            });
            if (p.should.length > 0) {
              var sacc = new Float64Array(n), scnt = new Int32Array(n);
              p.should.forEach(function (g) {
                var r = groupScore(g);
                for (var i = 0; i < n; i++) if (r[1][i]) { sacc[i] += r[0][i]; scnt[i]++; }
              });
              for (var i = 0; i < n; i++) {
                if (scnt[i] > 0) score[i] += sacc[i] * (scnt[i] / p.should.length);
              }
            }
            p.near.forEach(function (g) {
              var r = groupScore(g);
              for (var i = 0; i < n; i++) if (r[1][i]) score[i] += r[0][i];
            });
          }
          var hits = [], credits = {}, years = {};
          for (var i = 0; i < n; i++) {
            if (!match[i]) continue;
            hits.push(i);
            if (credit[i] > 0) {
              var c = meta.credits[credit[i] - 1];
              credits[c] = (credits[c] || 0) + 1;
            }
            var y = String(new Date(days[i] * 86400000).getUTCFullYear());
            years[y] = (years[y] || 0) + 1;
          }
          var relevance = q.sort !== "newest" && !isEmpty(p);
          hits.forEach(function (i) { score[i] = relevance ? quantize(score[i]) : 0; });
          hits.sort(function (a, b) { return score[a] !== score[b] ? score[b] - score[a] : rank[a] - rank[b]; });
          var page = hits.slice(Math.min(offset, hits.length), Math.min(offset + limit, hits.length));
          return Promise.all(page.map(doc)).then(function (ds) {
            var res = {
              query: q.text || "",
              total: hits.length,
              partial: false,
              offset: offset,
              limit: limit,
              hits: ds.map(function (d, k) { return newHit(d, score[page[k]], p, missingTerms(p, leaves, page[k])); }),
              facets: { credit: sortFacet(credits), year: sortFacet(years) },
            };
            var lack = Object.create(null), missing = [];
            res.hits.forEach(function (h) { (h.missing || []).forEach(function (m) { lack[m] = true; }); });
            p.terms.forEach(function (t) {
              if (lack[t.text]) { missing.push(t.text); delete lack[t.text]; }
            });
            res.partial = missing.length > 0;
            if (missing.length) res.missing = missing;
            return res;
          });
        });
      }
      // search runs a query {text, credit, tag, from, to (YYYY-MM-DD),
      // sort ("" or "newest"), offset, limit} and resolves to a result
      // shaped like the server's /api/search JSON.
      function search(q) {
        var text = q.text || "";
        return run(q, planQuery(text, false)).then(function (r) {
          if (r.total === 0 && relaxable(text)) return run(q, planQuery(text, true));
          return r;
        });
      }
      return { search: search, meta: meta };
    });
  }

  // ---- the reader page ----
  // chineseDate formats YYYY-MM-DD as the site does: 2025年5月22日.
  function chineseDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    return m ? +m[1] + "年" + +m[2] + "月" + +m[3] + "日" : s;
  }
  // creditEnd mirrors content.CreditLine: " 供稿" after a credit, unless
  // it ends in one of these words already.
  function creditEnd(c) {
    var ends = ["供稿", "摄", "报道", "文", "图"];
    for (var i = 0; i < ends.length; i++) if (c.slice(-ends[i].length) === ends[i]) return "";
    return " 供稿";
  }
  function quoteTerms(ts) {
    return ts.map(function (t) { return "“" + escapeHTML(t) + "”"; }).join("、");
  }
  // resultsHTML mirrors handler.go's resultsTemplate.
  function resultsHTML(r, q) {
    var h = '<h2 id="results-heading" tabindex="-1">共找到 ' + r.total + " 篇报道</h2>";
    if (r.partial) h += '<p class="partial">没有同时包含全部关键词的报道，部分结果不含' + quoteTerms(r.missing || []) + "。</p>";
    if (r.facets.credit.length || r.facets.year.length) {
      h += '<p class="facets">';
      r.facets.credit.forEach(function (f) { h += escapeHTML(f.value) + "（" + f.count + "） "; });
      r.facets.year.forEach(function (f) { h += escapeHTML(f.value) + "年（" + f.count + "） "; });
      h += "</p>";
    }
    h += "<ol>";
    r.hits.forEach(function (hit) {
      h += '<li class="hit">';
      if (hit.kickerHTML) h += '<p class="kicker">' + hit.kickerHTML + "</p>";
      h += '<h3><a href="' + escapeHTML(hit.url || "") + '">' + hit.titleHTML + "</a></h3>";
      if (hit.subtitleHTML) h += '<p class="subtitle">' + hit.subtitleHTML + "</p>";
      h += '<p class="meta"><time datetime="' + escapeHTML(hit.date) + '">' + chineseDate(hit.date) + "</time>";
      if (hit.creditHTML) h += " · " + hit.creditHTML + creditEnd(hit.credit);
      h += "</p><p>" + hit.snippet + "</p>";
      if (hit.missing) h += '<p class="missing">不含：' + quoteTerms(hit.missing) + "</p>";
      h += "</li>";
    });
    h += "</ol>";
    var nav = [];
    if (r.offset > 0) nav.push(pageLink(q, Math.max(0, r.offset - r.limit), "上一页"));
    if (r.offset + r.limit < r.total) nav.push(pageLink(q, r.offset + r.limit, "下一页"));
    if (nav.length) h += '<nav aria-label="分页">' + nav.join(" ") + "</nav>";
    return h;
  }
  function pageLink(q, offset, label) {
    var u = new URLSearchParams();
    ["text", "credit", "tag", "from", "to", "sort"].forEach(function (k) {
      if (q[k]) u.set(k === "text" ? "q" : k, q[k]);
    });
    if (offset) u.set("offset", String(offset));
    return '<a href="?' + escapeHTML(u.toString()) + '">' + label + "</a>";
  }
  // fetchRange fetches a file, or its bytes [from, to) with a Range
  // request; a host that ignores Range sends the whole file, kept and
  // cut here.
  var wholeFiles = Object.create(null);
  function fetchRange(name, from, to) {
    if (wholeFiles[name]) return wholeFiles[name].then(function (u) { return from === undefined ? u : u.subarray(from, to); });
    var init = from === undefined ? {} : { headers: { Range: "bytes=" + from + "-" + (to - 1) } };
    return fetch(name, init).then(function (r) {
      if (!r.ok) throw new Error(name + "：" + r.status);
      var whole = r.status !== 206;
      return r.arrayBuffer().then(function (b) {
        var u = new Uint8Array(b);
        if (from !== undefined && whole) {
          wholeFiles[name] = Promise.resolve(u);
          return u.subarray(from, to);
        }
        return u;
      });
    });
  }
  function start() {
    var el = document.getElementById("results");
    if (!el) return;
    var u = new URLSearchParams(location.search);
    var q = {
      text: u.get("q") || "", credit: u.get("credit") || "", tag: u.get("tag") || "",
      from: u.get("from") || "", to: u.get("to") || "", sort: u.get("sort") || "",
      offset: +(u.get("offset") || 0), limit: DEFAULT_LIMIT,
    };
    var api = el.getAttribute("data-api") || "static";
    // The server renders its results into the page: nothing to do.
    if (api !== "static") return;
    // A static page cannot fill the form on the server: show the query.
    [["q", q.text], ["credit", q.credit], ["from", q.from], ["to", q.to], ["sort", q.sort]].forEach(function (f) {
      var input = document.getElementById(f[0]);
      if (input && !input.value && f[1]) input.value = f[1];
    });
    if (!q.text && !q.credit && !q.tag && !q.from && !q.to) return;
    if (q.text) document.title = q.text + " - " + document.title;
    // Space for the results is held while they load (.searching), so
    // nothing below them moves when they arrive.
    document.documentElement.classList.add("searching");
    el.setAttribute("aria-busy", "true");
    el.innerHTML = '<p class="loading">正在搜索……</p>';
    openStatic(fetchRange).then(function (ix) { return ix.search(q); }).then(function (r) {
      el.innerHTML = resultsHTML(r, q);
    }, function (err) {
      el.innerHTML = '<p role="alert">搜索出错：' + escapeHTML(err.message) + "</p>";
    }).then(function () {
      el.removeAttribute("aria-busy");
      var hd = document.getElementById("results-heading");
      if (hd) hd.focus();
    });
  }

  var api = { openStatic: openStatic, normalize: normalize, units: units, planQuery: planQuery, resultsHTML: resultsHTML };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.BanmianSearch = api;
  if (typeof document !== "undefined") {
    // Loaded in the head of the static page, before anything is drawn:
    // with a query in the address, hold the results' space now, or the
    // footer is drawn and then pushed down when the script runs (a
    // layout shift on a slow phone).
    if (document.readyState === "loading" && /[?&](q|credit|tag|from|to)=[^&]/.test(location.search)) {
      document.documentElement.classList.add("searching");
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(typeof self !== "undefined" ? self : this);
