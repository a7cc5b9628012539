/* syriamap event-map runtime (included once per page).
 *
 * One EventSet per event_map() call holds every event once, in columns decoded
 * from a gzip+base64 payload, and draws them on one Leaflet canvas per map, one
 * Leaflet layer per category.  Nothing is created per event or per mark: each
 * category's marks are one canvas path (MarkLayer).  A cluster index is built
 * once per category, time filter and zoom (greedy radius clustering, as
 * supercluster does; every event of a cluster lies within clusterRadius pixels
 * of its circle, drawn at the events' centroid); pans and zooms only read it.
 * Above the last cluster zoom, or without clustering, only events at one and the
 * same place are grouped (a stack: clicking it pages through their popups).
 * Marks of several layers at one place are spread by at most SPREAD_PX pixels;
 * nothing else moves.  The time slider, heat layers, area circles, legend and
 * caption read the same columns.  Every string that comes from the data reaches
 * the page as inert JSON (SyriaMap.data) and is put into it with textContent or
 * canvas text, never innerHTML.
 */
(function () {
  "use strict";
  if (window.SyriaMap) { return; }
  var SM = window.SyriaMap = { sets: [], sliders: [] };
  if (window.performance && performance.mark) { performance.mark("sm-runtime"); }
  var SCALE = 100000;
  var COLOR_RE = /^#[0-9a-fA-F]{6}$/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* Performance API marks of the page's stages (decode, index, first draw), read by benchmarks/bench_maps.py. */
  function mark(name) { if (window.performance && performance.mark) { performance.mark(name); } }

  function safeColor(color) { return COLOR_RE.test(color) ? color : "#7f7f7f"; }

  /* 12345 -> "12,345" (toLocaleString costs tens of milliseconds at its first call). */
  function formatInt(n) { return String(Math.round(Number(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  /* Label written on a cluster: the exact count up to 9,999, then thousands ("12k"). */
  function clusterLabel(n) { return n < 10000 ? String(n) : Math.floor(n / 1000) + "k"; }

  /* The options of an element, from its inert JSON block in the page header (read as text, never as HTML). */
  SM.data = function (id) { return JSON.parse(document.getElementById(id).textContent); };

  var NO_STREAMS = "This browser cannot unpack the map's events (it lacks DecompressionStream: " +
    "Chrome 80, Firefox 113 and Safari 16.4 have it).";

  /* gzip+base64 -> bytes, with the browser's own base64 and DecompressionStream. */
  function gunzip(b64) {
    if (typeof DecompressionStream === "undefined") { return Promise.reject(new Error(NO_STREAMS)); }
    var bytes;
    if (Uint8Array.fromBase64) { bytes = Uint8Array.fromBase64(b64); }
    else {
      var bin = atob(b64);
      bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }

  /* gzip+base64 JSON -> object (the small payloads: area codes). */
  SM.decode = function (b64) {
    return gunzip(b64).then(function (bytes) { return JSON.parse(new TextDecoder().decode(bytes)); });
  };

  /* ---- The packed events (syriamap/maps/packing.py): two gzip+base64 blobs joined by ".".  The first
   * ("SME2", header length as uint32 LE, header JSON, segments) holds what the first frame needs:
   * positions, layer, time step, heat weights; the second ("SMC2", segments) the popup columns, unpacked
   * after the first frame is painted.  Arrays are stored byte plane by byte plane; each popup column gets
   * get(i), which builds the display string of event i only when asked. */
  var TYPES = { u8: Uint8Array, u16: Uint16Array, i16: Int16Array, i32: Int32Array, f64: Float64Array };
  var INT_NA = -2147483648;
  var utf8 = new TextDecoder();

  function magicOf(bytes) { return String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]); }

  /* A function reading a segment {t, n, o} of a blob whose segments start at byte base. */
  function reader(bytes, base) {
    return function (seg) {
      var Type = TYPES[seg.t], width = Type.BYTES_PER_ELEMENT, n = seg.n, at = base + seg.o;
      if (width === 1) { return bytes.subarray(at, at + n); }
      var out = new Uint8Array(n * width);
      for (var b = 0; b < width; b++) {
        var plane = at + b * n;
        for (var i = 0; i < n; i++) { out[i * width + b] = bytes[plane + i]; }
      }
      return new Type(out.buffer);
    };
  }

  /* Heat weights: missing (INT_NA) and negative become NaN, which the heat leaves out. */
  function weightsOf(src) {
    var w = new Float64Array(src.length);
    for (var i = 0; i < src.length; i++) { w[i] = src[i] === INT_NA || !(src[i] >= 0) ? NaN : src[i]; }
    return w;
  }

  function unpackCore(bytes) {
    if (magicOf(bytes) !== "SME2") { throw new Error("unknown events payload " + JSON.stringify(magicOf(bytes))); }
    var size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
    var head = JSON.parse(utf8.decode(bytes.subarray(8, 8 + size))), read = reader(bytes, 8 + size);
    var w = head.w;
    return { n: head.n, head: head, lat: read(head.lat), lon: read(head.lon), k: read(head.k), s: read(head.s),
             names: head.names, cols: null, w: w && w.x ? weightsOf(read(w.x)) : null,
             wColumn: w && "col" in w ? w.col : null };
  }

  function dayText(v) { return v === INT_NA ? null : new Date(v * 86400000).toISOString().slice(0, 10); }

  /* get(i) of one popup column (see _pack_column in payload.py for the kinds). */
  function columnGetter(col, d, read) {
    var x, codes, dict;
    if (col.t === "cat") { return function (i) { return d.head.categories[d.k[i]]; }; }
    if (col.t === "day") { x = read(col.x); return function (i) { return dayText(x[i]); }; }
    if (col.t === "int") { x = read(col.x); return function (i) { return x[i] === INT_NA ? null : String(x[i]); }; }
    if (col.t === "dict") {
      codes = read(col.c); dict = col.d;
      return function (i) { return codes[i] ? dict[codes[i] - 1] : null; };
    }
    var blob = read(col.b), lens = col.len ? read(col.len) : null, starts = null;
    function index() {  // byte offset of every piece, once, at the first popup
      var k, j = 0;
      starts = new Float64Array(d.n + 1);
      if (lens) { for (k = 0; k < d.n; k++) { starts[k + 1] = starts[k] + Math.max(lens[k] - 1, 0); } return; }
      for (k = 0; k < blob.length; k++) { if (blob[k] === 0) { starts[++j] = k + 1; } }
      starts[d.n] = blob.length + 1;
    }
    return function (i) {
      if (lens && !lens[i]) { return null; }
      if (!starts) { index(); }
      var a = starts[i], b = lens ? starts[i + 1] : starts[i + 1] - 1;
      return b > a ? utf8.decode(blob.subarray(a, b)) : null;
    };
  }

  function attachColumns(d, bytes) {
    if (magicOf(bytes) !== "SMC2") { throw new Error("unknown popup columns " + JSON.stringify(magicOf(bytes))); }
    var read = reader(bytes, 4);
    d.cols = d.head.cols.map(function (col) { return { get: columnGetter(col, d, read) }; });
    if (d.wColumn !== null) { d.w = weightsOf(read(d.head.cols[d.wColumn].x)); }
  }

  /* Resolves after the frame in progress is painted (and the one after it has started), or after a
   * second where no frame comes (a page in a background tab gets no animation frames). */
  function afterPaint() {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
      setTimeout(resolve, 1000);
    });
  }

  function columnValue(d, j, i) { return d.cols ? d.cols[j].get(i) : null; }

  /* A canvas that keeps its picture while the view stays inside the area it has drawn (the view and
   * PAD of it around): a pan within it moves the picture and paints nothing new, as tiles do. */
  function drawnArea(map) {
    var size = map.getSize(), pb = map.getPixelBounds(), dx = size.x * PAD, dy = size.y * PAD;
    return { zoom: map.getZoom(), min: pb.min.subtract([dx, dy]), max: pb.max.add([dx, dy]) };
  }

  function stillInside(area, map) {
    if (!area || area.zoom !== map.getZoom() || map._animatingZoom) { return false; }
    var pb = map.getPixelBounds();
    return pb.min.x >= area.min.x && pb.min.y >= area.min.y && pb.max.x <= area.max.x && pb.max.y <= area.max.y;
  }

  var LazyCanvas = L.Canvas.extend({
    _update: function () {
      if (this._smKeep && stillInside(this._smDrawn, this._map)) { return; }
      // During a zoom animation Leaflet draws nothing (it redraws when the animation ends): a move that
      // ends now (a pan, a view set by code) must not be remembered as drawn, or that redraw is skipped
      // and the canvas stays scaled for the zoom it left.
      if (this._map._animatingZoom && this._bounds) { return; }
      if (!this._smSameSize()) { L.Canvas.prototype._update.call(this); }
      this._smDrawn = drawnArea(this._map);
    },
    /* When the canvas keeps its size (a zoom step, a far pan), clear and move it as L.Canvas._update
     * would, without giving it a new bitmap (setting its width and height allocates one). */
    _smSameSize: function () {
      var c = this._container;
      if (!c || !this._bounds || (this._map._animatingZoom && this._bounds)) { return false; }
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, size = b.getSize(), m = L.Browser.retina ? 2 : 1;
      if (c.width !== m * size.x || c.height !== m * size.y) { return false; }
      L.DomUtil.setPosition(c, b.min);
      var ctx = this._ctx;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, c.width, c.height);
      ctx.setTransform(m, 0, 0, m, -m * b.min.x, -m * b.min.y);
      this.fire("update");
      return true;
    },
    _reset: function () { this._smDrawn = null; L.Canvas.prototype._reset.call(this); },
    /* A full redraw also answers the redraw requested for the next frame (Leaflet leaves that request
     * pending, so a zoom step painted the whole canvas twice). */
    _redraw: function () {
      if (this._redrawRequest) { L.Util.cancelAnimFrame(this._redrawRequest); }
      L.Canvas.prototype._redraw.call(this);
    }
  });

  /* Every mark of one layer (points, clusters, stacks at one place) as ONE path of the shared canvas
   * renderer: drawn in a few batched canvas calls, hit-tested by its own loop.  Nothing is created per
   * mark, so a pan costs the index lookup and one paint. */
  var MarkLayer = L.Path.extend({
    options: { interactive: true },
    initialize: function (set, k) {
      L.setOptions(this, { renderer: set.renderer });
      this._smSet = set;
      this._smK = k;
      this._marks = [];
      this._pts = [];
      this._hit = -1;
    },
    setMarks: function (marks) {
      this._marks = marks;
      if (this._map) { this.redraw(); }
    },
    _project: function () {
      var map = this._map, scale = map.getZoomScale(map.getZoom(), 0), origin = map.getPixelOrigin();
      var pts = this._pts = new Array(this._marks.length), minx = Infinity, miny = Infinity, maxx = -Infinity,
        maxy = -Infinity;
      for (var j = 0; j < this._marks.length; j++) {
        var mk = this._marks[j];
        var x = (mk.level.x[mk.c] + mk.dx) * scale - origin.x, y = (mk.level.y[mk.c] + mk.dy) * scale - origin.y;
        pts[j] = [x, y];
        if (x < minx) { minx = x; } if (x > maxx) { maxx = x; }
        if (y < miny) { miny = y; } if (y > maxy) { maxy = y; }
      }
      var w = 30 + this._clickTolerance();
      this._pxBounds = pts.length ? L.bounds([minx - w, miny - w], [maxx + w, maxy + w]) : L.bounds([0, 0], [0, 0]);
    },
    _update: function () { if (this._map) { this._updatePath(); } },
    _empty: function () { return !this._marks.length; },
    _updatePath: function () {
      var r = this._renderer, ctx = r && r._ctx;
      if (!ctx || !r._drawing || this._empty()) { return; }
      var set = this._smSet, color = set.colors[this._smK], style = set.opts.marker, marks = this._marks;
      var pts = this._pts, j, p;
      ctx.globalAlpha = 1;
      // points: one path
      ctx.beginPath();
      for (j = 0; j < marks.length; j++) {
        if (marks[j].n !== 1) { continue; }
        p = pts[j];
        ctx.moveTo(p[0] + style.radius, p[1]);
        ctx.arc(p[0], p[1], style.radius, 0, 2 * Math.PI);
      }
      ctx.globalAlpha = style.opacity;
      ctx.fillStyle = color;
      ctx.fill();
      ctx.globalAlpha = 1;
      ringPath(ctx, marks, pts, function (mk) { return mk.n === 1 ? style.radius : 0; }, style.weight);
      ctx.fillStyle = style.stroke;
      ctx.fill("nonzero");
      // clusters and stacks: one path, then their counts
      ctx.beginPath();
      var any = false;
      for (j = 0; j < marks.length; j++) {
        if (marks[j].n === 1) { continue; }
        p = pts[j];
        var rad = marks[j].radius;
        ctx.moveTo(p[0] + rad, p[1]);
        ctx.arc(p[0], p[1], rad, 0, 2 * Math.PI);
        any = true;
      }
      if (!any) { return; }
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = color;
      ctx.fill();
      // their white outline, 1.5 px across the edge: filled as rings (outer circle, then the inner one
      // the other way round), which costs a fraction of stroking thousands of circles as one path
      ringPath(ctx, marks, pts, function (mk) { return mk.n === 1 ? 0 : mk.radius; }, 1.5);
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = "#ffffff";
      ctx.fill("nonzero");
      ctx.globalAlpha = 1;
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillStyle = textOn(color);
      for (j = 0; j < marks.length; j++) {
        if (marks[j].n === 1) { continue; }
        ctx.fillText(clusterLabel(marks[j].n), pts[j][0], pts[j][1]);
      }
    },
    /* The topmost mark under a point (kept in _hit for the click and hover handlers). */
    _containsPoint: function (p) {
      var tol = this._clickTolerance(), style = this._smSet.opts.marker;
      for (var j = this._marks.length - 1; j >= 0; j--) {
        var q = this._pts[j], rad = this._marks[j].n === 1 ? style.radius : this._marks[j].radius;
        var dx = p.x - q[0], dy = p.y - q[1];
        if (dx * dx + dy * dy <= (rad + tol) * (rad + tol)) { this._hit = j; return true; }
      }
      this._hit = -1;
      return false;
    },
    hitMark: function () { return this._hit >= 0 ? this._marks[this._hit] : null; }
  });

  /* Outlines of marks as one path of rings, width across each circle's edge, to be filled (outer circle,
   * then the inner one the other way round): filling it costs a fraction of stroking thousands of circles
   * as one path.  radiusOf(mark) gives 0 for marks left out. */
  function ringPath(ctx, marks, pts, radiusOf, width) {
    ctx.beginPath();
    for (var j = 0; j < marks.length; j++) {
      var rad = radiusOf(marks[j]);
      if (!rad) { continue; }
      var p = pts[j], outer = rad + width / 2, inner = Math.max(rad - width / 2, 0);
      ctx.moveTo(p[0] + outer, p[1]);
      ctx.arc(p[0], p[1], outer, 0, 2 * Math.PI);
      ctx.moveTo(p[0] + inner, p[1]);
      ctx.arc(p[0], p[1], inner, 2 * Math.PI, 0, true);
    }
  }

  /* Black or white, whichever reads better on a fill colour (#rrggbb). */
  function textOn(color) {
    var r = parseInt(color.slice(1, 3), 16), g = parseInt(color.slice(3, 5), 16), b = parseInt(color.slice(5, 7), 16);
    return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#111111" : "#ffffff";
  }

  /* The layer of one category: the layer control ticks it; its content is redrawn by the EventSet. */
  var CategoryGroup = L.FeatureGroup.extend({
    initialize: function (set, k) {
      L.FeatureGroup.prototype.initialize.call(this);
      this._smSet = set;
      this._smActive = false;
      this.marks = new MarkLayer(set, k);
      this.addLayer(this.marks);
    },
    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      this._smActive = true;
      this._smSet._toggled();
    },
    onRemove: function (map) {
      L.FeatureGroup.prototype.onRemove.call(this, map);
      this._smActive = false;
      this.marks.setMarks([]);
      this._smSet._toggled();
    }
  });

  /* ------------------------------------------------------------------ */
  function EventSet(map, opts) {
    var self = this;
    this.map = map;
    this.opts = opts;
    this.meta = opts.meta;
    this.heats = [];
    this.listeners = [];
    this.data = null;
    this.shown = 0;
    this.filter = { label: null, all: true, cumulative: false };
    // one canvas per map, shared by its event sets: the pointer reaches the marks of every set
    this.renderer = map._smRenderer || (map._smRenderer = new LazyCanvas({ padding: PAD }));
    this.colors = opts.colors.map(safeColor);
    this.version = 0;
    this.marks = [];
    this.levels = this.meta.categories.map(function () { return { version: -1, byZoom: {} }; });
    this.tooltip = L.tooltip({ direction: "top", offset: [0, -8] });
    this.groups = this.meta.categories.map(function (_, k) {
      var group = new CategoryGroup(self, k);
      group.on("click", function (e) { self._onClick((e.propagatedFrom || e.layer).hitMark()); });
      group.on("mouseover mousemove", function (e) { self._onHover((e.propagatedFrom || e.layer).hitMark()); });
      group.on("mouseout", function () { self.map.closeTooltip(self.tooltip); self._hovered = null; });
      return group;
    });
    map.on("moveend", function () {
      if (self._area && self._area.version === self.version && stillInside(self._area, map)) { return; }
      self._redraw();
    });
    SM.sets.push(this);
    mark("sm-decode-start");
    var blobs = document.getElementById(opts.payloadId).textContent.split(".");
    this.complete = false;  // true once the popup columns are unpacked too
    this.ready = gunzip(blobs[0]).then(unpackCore).then(function (d) {
      mark("sm-decoded"); self._load(d); return self;
    });
    // after the first frame: the zooms next to the one in view are indexed, and the popup columns unpacked
    this._painted = false;
    this.ready.then(afterPaint).then(function () { self._painted = true; self._schedule(); });
    this.columnsReady = this.ready.then(afterPaint).then(function () { return gunzip(blobs[1]); })
      .then(function (bytes) {
        attachColumns(self.data, bytes);
        self.complete = true;
        mark("sm-columns");
        return self;
      });
    this.columnsReady.catch(function (err) {
      console.warn("syriamap: could not load events", err);
      var note = el("div", "sm-load-error", err && err.message === NO_STREAMS ? NO_STREAMS :
                    "The map's events could not be loaded: " + (err && err.message));
      map.getContainer().appendChild(note);
    });
  }

  EventSet.prototype.layer = function (k) { return this.groups[k]; };

  /* A heat layer of the events shown; filled only while it is on the map (it starts hidden). */
  EventSet.prototype.heat = function (options) {
    var layer = L.heatLayer([], options || {}), self = this;
    this.heats.push(layer);
    layer.on("add", function () { self._updateHeat(); });
    return layer;
  };

  EventSet.prototype.onUpdate = function (fn) { this.listeners.push(fn); };

  /* Zoom-0 pixel positions of every event into x and y: Leaflet's own spherical Mercator, the same
   * operations in the same order (so the same numbers as map.project), without an object per event. */
  function projectAll(map, d, x, y) {
    var n = d.n, i;
    if (map.options.crs !== L.CRS.EPSG3857) {
      for (i = 0; i < n; i++) {
        var p = map.project([d.lat[i] / SCALE, d.lon[i] / SCALE], 0);
        x[i] = p.x; y[i] = p.y;
      }
      return;
    }
    var proj = L.Projection.SphericalMercator, R = proj.R, max = proj.MAX_LATITUDE, rad = Math.PI / 180;
    var t = L.CRS.EPSG3857.transformation, size = L.CRS.EPSG3857.scale(0);
    for (i = 0; i < n; i++) {
      var lat = Math.max(Math.min(max, d.lat[i] / SCALE), -max), sin = Math.sin(lat * rad);
      x[i] = size * (t._a * (R * (d.lon[i] / SCALE) * rad) + t._b);
      y[i] = size * (t._c * (R * Math.log((1 + sin) / (1 - sin)) / 2) + t._d);
    }
  }

  /* Columns -> typed arrays, zoom-0 pixel positions and the events of each category. */
  EventSet.prototype._load = function (d) {
    var n = d.n, map = this.map, ncat = this.groups.length, i;
    this.data = d;
    this.visible = new Uint8Array(n);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    projectAll(map, d, this.x, this.y);
    var sizes = new Int32Array(ncat);
    for (i = 0; i < n; i++) { sizes[d.k[i]] += 1; }
    this.byCategory = Array.prototype.map.call(sizes, function (s) { return new Int32Array(s); });
    var fill = new Int32Array(ncat);
    for (i = 0; i < n; i++) { var k = d.k[i]; this.byCategory[k][fill[k]++] = i; }
    mark("sm-indexed");
    this._applyFilter();
    mark("sm-drawn");
    var self = this;
    SM.sliders.forEach(function (s) { if (s.map === self.map) { s.refresh(); } });
  };

  /* Index of the last own step whose label is <= the slider's label. */
  EventSet.prototype._stepBound = function () {
    var steps = this.meta.steps, label = this.filter.label, lo = -1;
    for (var j = 0; j < steps.length; j++) { if (steps[j] <= label) { lo = j; } }
    return { upto: lo, exact: lo >= 0 && steps[lo] === label ? lo : -2 };
  };

  EventSet.prototype.setFilter = function (label, all, cumulative) {
    this.filter = { label: label, all: all || label === null, cumulative: !!cumulative };
    if (this.data) { this._applyFilter(); }
  };

  EventSet.prototype._applyFilter = function () {
    var d = this.data, f = this.filter, bound = f.all ? null : this._stepBound(), n = d.n;
    this.version += 1;
    for (var i = 0; i < n; i++) {
      var s = d.s[i];
      this.visible[i] = (s < 0 || f.all || (f.cumulative ? s <= bound.upto : s === bound.exact)) ? 1 : 0;
    }
    this._redraw();
    this._changed();
  };

  /* A layer was ticked or unticked in the layer control. */
  EventSet.prototype._toggled = function () {
    if (!this.data) { return; }
    this._redraw();
    this._changed();
  };

  /* Counts, heat and listeners (caption) after the filter or the ticked layers changed. */
  EventSet.prototype._changed = function () {
    var self = this, shown = 0;
    this.groups.forEach(function (group, k) {
      if (!group._smActive) { return; }
      var idx = self.byCategory[k];
      for (var j = 0; j < idx.length; j++) { shown += self.visible[idx[j]]; }
    });
    this.shown = shown;
    this._updateHeat();
    this.listeners.forEach(function (fn) { fn(self); });
  };

  EventSet.prototype._clusterZoom = function () {
    var max = this.map.getMaxZoom();
    return Math.min(this.opts.clusterMaxZoom, isFinite(max) ? max - 1 : this.opts.clusterMaxZoom);
  };

  /* ---- The cluster index: built once per category, time filter and zoom; pans and zooms only read it.
   *
   * A level (one category at one zoom) groups the events the filter lets through.  Up to the last
   * cluster zoom (and with clustering on) it is a greedy radius clustering, as supercluster does it:
   * each event not yet taken seeds a cluster and takes every free event within clusterRadius / 2
   * pixels of it, so every member lies within clusterRadius pixels of the cluster's centroid, where
   * the cluster is drawn.  Above that zoom, or without clustering, only events at one and the same
   * place are grouped.  Levels of the zoom in view are built at once; the others in the background. */
  var PREBUILD_ZOOMS = 2;      // levels built ahead, in the background: this many zooms in and out
  var PAD = 0.35;              // the canvas reaches this share of the view beyond each edge: pans within it
                               // paint nothing new
  var GRID_PX = 256;           // cell of the view-query grid of a level, in pixels of its zoom
  var SPREAD_PX = 10;          // marks of several layers at one place: spread on a ring this wide
  var PLACE_BITS = 33554432;   // 2^25 > 180e5 + 90e5 range of the integer coordinates

  function placeKey(d, i) { return (d.lon[i] + 18000000) * PLACE_BITS + (d.lat[i] + 9000000); }

  EventSet.prototype._level = function (k, zoom) {
    var cache = this.levels[k];
    if (cache.version !== this.version) { cache.version = this.version; cache.byZoom = {}; }
    var level = cache.byZoom[zoom];
    if (level === undefined) { level = cache.byZoom[zoom] = this._buildLevel(k, zoom); }
    return level;
  };

  EventSet.prototype._buildLevel = function (k, zoom) {
    var d = this.data, idx = this.byCategory[k], vis = this.visible, X = this.x, Y = this.y;
    var pts = [], j, i;
    for (j = 0; j < idx.length; j++) { if (vis[idx[j]]) { pts.push(idx[j]); } }
    var n = pts.length, owner = new Int32Array(n).fill(-1), nc = 0, c;
    var byCell = this.opts.cluster && zoom <= this._clusterZoom();
    var scale = Math.pow(2, zoom);
    if (byCell) {
      /* cells of r x r pixels; keys count from the level's corner, so they stay small integers: an array
       * of cells when there are not many more cells than events, a Map otherwise */
      var r = this.opts.clusterRadius / 2 / scale, r2 = r * r, next = new Int32Array(n);
      var col0 = Infinity, row0 = Infinity, row1 = -Infinity, col1 = -Infinity;
      for (j = 0; j < n; j++) {
        var cx0 = Math.floor(X[pts[j]] / r), cy0 = Math.floor(Y[pts[j]] / r);
        if (cx0 < col0) { col0 = cx0; } if (cx0 > col1) { col1 = cx0; }
        if (cy0 < row0) { row0 = cy0; } if (cy0 > row1) { row1 = cy0; }
      }
      var rows = row1 - row0 + 3, cells = (col1 - col0 + 3) * rows, dense = cells <= 4 * n + 65536;
      var heads = dense ? new Int32Array(cells).fill(-1) : new Map();
      var cellKey = function (col, row) { return (col - col0 + 1) * rows + (row - row0 + 1); };
      var head = function (key) {
        if (dense) { return heads[key]; }
        var h = heads.get(key);
        return h === undefined ? -1 : h;
      };
      for (j = 0; j < n; j++) {
        var key = cellKey(Math.floor(X[pts[j]] / r), Math.floor(Y[pts[j]] / r));
        next[j] = head(key);
        if (dense) { heads[key] = j; } else { heads.set(key, j); }
      }
      for (j = 0; j < n; j++) {
        if (owner[j] >= 0) { continue; }
        var sx = X[pts[j]], sy = Y[pts[j]], col = Math.floor(sx / r), row = Math.floor(sy / r);
        owner[j] = nc;
        for (var dx = -1; dx <= 1; dx++) {
          for (var dy = -1; dy <= 1; dy++) {
            for (var m = head(cellKey(col + dx, row + dy)); m >= 0; m = next[m]) {
              if (owner[m] >= 0) { continue; }
              var ex = X[pts[m]] - sx, ey = Y[pts[m]] - sy;
              if (ex * ex + ey * ey <= r2) { owner[m] = nc; }
            }
          }
        }
        nc += 1;
      }
    } else {
      var places = new Map();
      for (j = 0; j < n; j++) {
        var pk = placeKey(d, pts[j]), o = places.get(pk);
        if (o === undefined) { o = nc++; places.set(pk, o); }
        owner[j] = o;
      }
    }
    /* members of each cluster, contiguous (counting sort on the owner) */
    var start = new Int32Array(nc + 1), members = new Int32Array(n);
    for (j = 0; j < n; j++) { start[owner[j] + 1] += 1; }
    for (c = 0; c < nc; c++) { start[c + 1] += start[c]; }
    var fill = start.slice(0, nc);
    for (j = 0; j < n; j++) { members[fill[owner[j]]++] = pts[j]; }
    var cx = new Float64Array(nc), cy = new Float64Array(nc), reach = new Float64Array(nc);
    var same = new Uint8Array(nc), grid = new Map(), cell = GRID_PX / scale;
    for (c = 0; c < nc; c++) {
      var ax = 0, ay = 0, a = start[c], b = start[c + 1], first = members[a], isSame = 1;
      for (j = a; j < b; j++) {
        i = members[j]; ax += X[i]; ay += Y[i];
        if (isSame && (d.lat[i] !== d.lat[first] || d.lon[i] !== d.lon[first])) { isSame = 0; }
      }
      ax /= (b - a); ay /= (b - a);
      if (isSame) { ax = X[first]; ay = Y[first]; }
      var far = 0;
      for (j = a; j < b; j++) {
        i = members[j];
        var ddx = X[i] - ax, ddy = Y[i] - ay, dd = ddx * ddx + ddy * ddy;
        if (dd > far) { far = dd; }
      }
      cx[c] = ax; cy[c] = ay; reach[c] = Math.sqrt(far) * scale; same[c] = isSame;
      var gk = Math.floor(ax / cell) * 67108864 + Math.floor(ay / cell), list = grid.get(gk);
      if (list === undefined) { grid.set(gk, [c]); } else { list.push(c); }
    }
    return { k: k, zoom: zoom, n: nc, start: start, members: members, x: cx, y: cy, reach: reach,
             samePlace: same, grid: grid, cell: cell, byCell: byCell };
  };

  /* Clusters of a level drawn on the canvas: centre within the view, its padding and a mark's size. */
  EventSet.prototype._inView = function (level) {
    var pb = this.map.getPixelBounds(), size = pb.getSize(), scale = Math.pow(2, level.zoom);
    var mx = size.x * PAD + 30, my = size.y * PAD + 30;
    var x0 = (pb.min.x - mx) / scale, x1 = (pb.max.x + mx) / scale;
    var y0 = (pb.min.y - my) / scale, y1 = (pb.max.y + my) / scale;
    var out = [], cell = level.cell;
    for (var gx = Math.floor(x0 / cell); gx <= Math.floor(x1 / cell); gx++) {
      for (var gy = Math.floor(y0 / cell); gy <= Math.floor(y1 / cell); gy++) {
        var list = level.grid.get(gx * 67108864 + gy);
        if (!list) { continue; }
        for (var j = 0; j < list.length; j++) {
          var c = list[j], x = level.x[c], y = level.y[c];
          if (x >= x0 && x <= x1 && y >= y0 && y <= y1) { out.push(c); }
        }
      }
    }
    return out;
  };

  /* Build, in the background, the levels of the zooms next to the one in view (one level per task, so the
   * page stays responsive): a zoom step then only reads the index. */
  EventSet.prototype._schedule = function () {
    var self = this;
    if (this._pending || !this._painted) { return; }
    this._pending = setTimeout(function () {
      self._pending = null;
      var zoom = self.map.getZoom(), lo = self.map.getMinZoom(), hi = self.map.getMaxZoom();
      if (!isFinite(hi)) { hi = 18; }
      var order = [];
      for (var dz = 1; dz <= PREBUILD_ZOOMS; dz++) { order.push(zoom + dz, zoom - dz); }
      for (var o = 0; o < order.length; o++) {
        var z = order[o];
        if (z < lo || z > hi) { continue; }
        for (var k = 0; k < self.groups.length; k++) {
          if (!self.groups[k]._smActive) { continue; }
          var cache = self.levels[k];
          if (cache.version === self.version && cache.byZoom[z] !== undefined) { continue; }
          self._level(k, z);
          self._schedule();
          return;
        }
      }
    }, 0);
  };

  /* Redraw every ticked layer from the index of the zoom in view. */
  EventSet.prototype._redraw = function () {
    if (!this.data) { return; }
    var zoom = this.map.getZoom(), marks = [], byK = [], k, j;
    for (k = 0; k < this.groups.length; k++) {
      byK.push([]);
      if (!this.groups[k]._smActive) { continue; }
      var level = this._level(k, zoom), list = this._inView(level);
      for (j = 0; j < list.length; j++) {
        var c = list[j], n = level.start[c + 1] - level.start[c];
        var mk = { level: level, c: c, k: k, n: n, radius: 10 + 2.5 * Math.log10(n), samePlace: !!level.samePlace[c] };
        marks.push(mk); byK[k].push(mk);
      }
    }
    this._spread(marks, zoom);
    this.marks = marks;
    this._area = drawnArea(this.map);
    this._area.version = this.version;
    this.renderer._smKeep = true;
    for (k = 0; k < this.groups.length; k++) { this.groups[k].marks.setMarks(byK[k]); }
    this._schedule();
  };

  /* Marks of several layers at one and the same place are spread on a small ring around it
   * (at most SPREAD_PX pixels away); everything else stays exactly where its events are. */
  EventSet.prototype._spread = function (marks, zoom) {
    var byPlace = new Map(), scale = Math.pow(2, zoom);
    marks.forEach(function (mk) {
      mk.dx = 0; mk.dy = 0;
      if (!mk.level.samePlace[mk.c]) { return; }
      var key = mk.level.x[mk.c] * 1e9 + mk.level.y[mk.c], list = byPlace.get(key);
      if (list === undefined) { byPlace.set(key, [mk]); } else { list.push(mk); }
    });
    byPlace.forEach(function (list) {
      if (list.length < 2) { return; }
      list.forEach(function (mk, m) {
        var angle = -Math.PI / 2 + 2 * Math.PI * m / list.length;
        mk.dx = SPREAD_PX * Math.cos(angle) / scale; mk.dy = SPREAD_PX * Math.sin(angle) / scale;
      });
    });
  };

  /* Where a mark is drawn. */
  EventSet.prototype._markLatLng = function (mk) {
    return this.map.unproject([mk.level.x[mk.c] + mk.dx, mk.level.y[mk.c] + mk.dy], 0);
  };

  /* Events of one cluster (all visible: a level holds only the events the filter lets through). */
  EventSet.prototype._members = function (cl) {
    var level = cl.level;
    return Array.prototype.slice.call(level.members, level.start[cl.c], level.start[cl.c + 1]);
  };

  /* For tests and debugging: every mark drawn now, where it is drawn, and the events it stands for. */
  EventSet.prototype.debugMarks = function () {
    var map = this.map, self = this;
    return (this.marks || []).map(function (mk) {
      var level = mk.level, c = mk.c, at = self._markLatLng(mk);
      return { category: level.k, lat: at.lat, lng: at.lng, cluster: level.byCell, samePlace: mk.samePlace,
               members: Array.prototype.slice.call(level.members, level.start[c], level.start[c + 1]),
               reachPx: level.reach[c], radiusPx: mk.n === 1 ? self.opts.marker.radius : mk.radius,
               zoom: map.getZoom() };
    });
  };

  EventSet.prototype._onClick = function (mk) {
    if (!mk) { return; }
    if (!this.complete) {  // a click in the first moments: answered once the popup columns are unpacked
      var pending = this;
      this.columnsReady.then(function () { pending._onClick(mk); });
      return;
    }
    var members = this._members(mk);
    if (mk.n === 1) { this.openEvent(members[0]); return; }
    if (mk.samePlace) { this._openStack(this._latLng(members[0]), members); return; }
    var map = this.map, self = this;
    var bounds = L.latLngBounds(members.map(function (i) { return self._latLng(i); }));
    var zoom = Math.max(Math.min(map.getBoundsZoom(bounds, false, L.point(80, 80)), map.getMaxZoom()),
                        map.getZoom() + 1);
    map.setView(bounds.getCenter(), zoom);
  };

  /* One tooltip per event set, moved to the mark under the pointer. */
  EventSet.prototype._onHover = function (mk) {
    if (!mk) { this.map.closeTooltip(this.tooltip); this._hovered = null; return; }
    if (mk === this._hovered) { return; }
    this._hovered = mk;
    var text;
    if (mk.n === 1) {
      var d = this.data, i = this._members(mk)[0], parts = [this.meta.categories[d.k[i]]], t = this.opts.tooltipColumns;
      for (var j = 0; j < t.length; j++) {
        var value = columnValue(d, t[j], i);
        if (value !== null && value !== undefined) { parts.push(value); }
      }
      text = parts.join(" · ");
    } else {
      text = formatInt(mk.n) + " events · " + this.meta.categories[mk.k] +
        (mk.samePlace ? " · same place: click to read them" : " · click to zoom in");
    }
    this.tooltip.setContent(el("span", null, text));
    this.map.openTooltip(this.tooltip, this._markLatLng(mk));
  };

  EventSet.prototype._popupContent = function (i) {
    var d = this.data, box = el("div", "sm-popup");
    box.appendChild(el("div", "sm-popup-title", this.meta.categories[d.k[i]]));
    var table = el("table");
    for (var j = 0; j < d.cols.length; j++) {
      var value = columnValue(d, j, i);
      if (value === null || value === undefined) { continue; }
      var row = el("tr");
      row.appendChild(el("th", null, this.opts.labels[j]));
      var cell = el("td");
      if (d.names[j] === "url" && /^https?:\/\//i.test(value)) {
        var a = el("a", null, value);
        a.href = value; a.target = "_blank"; a.rel = "noopener noreferrer";
        cell.appendChild(a);
      } else {
        cell.textContent = String(value);
      }
      row.appendChild(cell);
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  };

  /* Popups pan the map to stay clear of the title at the top. */
  var POPUP_OPTIONS = { maxWidth: 380, autoPanPaddingTopLeft: L.point(10, 60) };

  EventSet.prototype._latLng = function (i) {
    return L.latLng(this.data.lat[i] / SCALE, this.data.lon[i] / SCALE);
  };

  /* Open the popup of event i (its index in the page's data). */
  EventSet.prototype.openEvent = function (i) {
    return L.popup(POPUP_OPTIONS).setLatLng(this._latLng(i)).setContent(this._popupContent(i))
      .openOn(this.map);
  };

  /* One popup for events at the same place, with buttons to go from one to the next. */
  EventSet.prototype._openStack = function (latlng, members) {
    var self = this, pos = 0, box = el("div", "sm-stack"), nav = el("div", "sm-stack-nav");
    var prev = el("button", "sm-stack-prev", "\u25C0"), next = el("button", "sm-stack-next", "\u25B6");
    var where = el("span", "sm-stack-pos"), body = el("div");
    prev.type = next.type = "button";
    nav.appendChild(prev); nav.appendChild(where); nav.appendChild(next);
    box.appendChild(nav); box.appendChild(body);
    function show() {
      where.textContent = "event " + formatInt(pos + 1) + " of " + formatInt(members.length) + " at this place";
      prev.disabled = pos === 0; next.disabled = pos === members.length - 1;
      body.textContent = "";
      body.appendChild(self._popupContent(members[pos]));
    }
    L.DomEvent.on(prev, "click", function (e) { L.DomEvent.stop(e); if (pos > 0) { pos -= 1; show(); } });
    L.DomEvent.on(next, "click", function (e) { L.DomEvent.stop(e); if (pos < members.length - 1) { pos += 1; show(); } });
    show();
    return L.popup(POPUP_OPTIONS).setLatLng(latlng).setContent(box).openOn(this.map);
  };

  EventSet.prototype._updateHeat = function () {
    var shown = this.heats.filter(function (h) { return h._map; }), self = this;
    if (!shown.length || !this.data) { return; }
    if (this.data.wColumn !== null && !this.complete) {  // weights from a popup column, not unpacked yet
      this.columnsReady.then(function () { self._updateHeat(); });
      return;
    }
    var d = this.data, pts = [], weights = d.w, max = 0;
    this.groups.forEach(function (group, k) {
      if (!group._smActive) { return; }
      var idx = self.byCategory[k];
      for (var j = 0; j < idx.length; j++) {
        var i = idx[j];
        if (!self.visible[i]) { continue; }
        if (weights) {
          var w = weights[i];
          if (!(w > 0)) { continue; }
          if (w > max) { max = w; }
          pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE, w]);
        } else {
          pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE]);
        }
      }
    });
    shown.forEach(function (h) {
      if (weights && max > 0) { h.setOptions({ max: max }); }
      h.setLatLngs(pts);
    });
  };

  /* What is drawn in view now, in total and per category: points, clusters and the events in clusters. */
  EventSet.prototype.drawnCounts = function () {
    var bounds = this.map.getBounds(), names = this.meta.categories, self = this;
    var out = { markers: 0, clustered: 0, clusters: 0, byCategory: {} };
    names.forEach(function (name) { out.byCategory[name] = { markers: 0, clustered: 0, clusters: 0 }; });
    this.marks.forEach(function (mk) {
      if (!bounds.contains(self._markLatLng(mk))) { return; }
      var c = out.byCategory[names[mk.k]];
      if (mk.n === 1) { c.markers += 1; out.markers += 1; }
      else { c.clusters += 1; c.clustered += mk.n; out.clusters += 1; out.clustered += mk.n; }
    });
    return out;
  };

  /* ---- Areas: labelled proportional circles per admin area, recounted from the events shown now.
   * They are drawn on the events' own canvas, below the events (the event layers are brought to the
   * front), so the pointer reaches an area's tooltip wherever no event mark lies over it. */
  var AREA_COLORS = ["#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];

  var AreaCircle = L.CircleMarker.extend({
    _updatePath: function () {
      L.CircleMarker.prototype._updatePath.call(this);
      var r = this._renderer, ctx = r && r._ctx, a = this._smArea;
      if (!ctx || !r._drawing || !a.count) { return; }
      var p = this._point;
      ctx.globalAlpha = 1;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.fillStyle = "#222222";
      if (a.showCount) {  // labels that would overlap a larger area's are left out (see AreaLayer._cullLabels)
        ctx.font = AREA_COUNT_FONT;
        ctx.strokeText(formatInt(a.count), p.x, p.y);
        ctx.fillText(formatInt(a.count), p.x, p.y);
      }
      if (a.showName) {
        ctx.font = AREA_NAME_FONT;
        var y = p.y + this._radius + 9;
        ctx.strokeText(a.name, p.x, y);
        ctx.fillText(a.name, p.x, y);
      }
    }
  });
  var AREA_COUNT_FONT = "bold 12px system-ui, sans-serif", AREA_NAME_FONT = "11px system-ui, sans-serif";
  var measureCtx = null;
  function textWidth(text, font) {
    measureCtx = measureCtx || document.createElement("canvas").getContext("2d");
    measureCtx.font = font;
    return measureCtx.measureText(text).width;
  }
  function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

  var AreaLayer = L.FeatureGroup.extend({
    initialize: function (set, opts) {
      L.FeatureGroup.prototype.initialize.call(this);
      var self = this;
      this._smSet = set;
      this._smOpts = opts;
      this._smAreas = opts.areas.map(function (a) {
        return { name: a.name, note: a.note, count: 0, fatalities: 0, showCount: false, showName: false };
      });
      this._smCircles = opts.areas.map(function (a, j) {
        var c = new AreaCircle([a.lat, a.lon], { renderer: set.renderer, radius: 0, color: "#444444", weight: 1,
                                                 fillColor: AREA_COLORS[0], fillOpacity: 0.45 });
        c._smArea = self._smAreas[j];
        c.bindTooltip(function () { return self._smTooltipContent(j); }, { sticky: true });
        return c;
      });
      this._smReady = SM.decode(opts.data).then(function (d) { self._smData = d; return set.ready; })
        .then(function () { self._scale(); self._recount(); });
      set.onUpdate(function () { self._recount(); });
    },
    onAdd: function (map) {
      var self = this;
      L.FeatureGroup.prototype.onAdd.call(this, map);
      // below the events: the circles go into the canvas first, the events are re-added after them
      this._smCircles.forEach(function (c) { self.addLayer(c); });
      SM.marksOnTop(map);
      this._smLegend = SM.sizeLegend(map, this);
      // after the event set's own moveend handler (added before this one) has placed the marks of the new view
      this._smOnZoom = function () { self._cullLabels(); self._smCircles.forEach(function (c) { c.redraw(); }); };
      map.on("moveend", this._smOnZoom);
      this._cullLabels();
      L.DomUtil.addClass(map.getContainer(), "sm-areas-on");  // the basemap's governorate names step aside
    },
    onRemove: function (map) {
      L.FeatureGroup.prototype.onRemove.call(this, map);
      this.clearLayers();
      if (this._smLegend) { this._smLegend.remove(); this._smLegend = null; }
      map.off("moveend", this._smOnZoom);
      L.DomUtil.removeClass(map.getContainer(), "sm-areas-on");
    },
    /* One scale for every period: the largest count at all dates with every layer ticked. */
    _scale: function () {
      this._smMax = SM.largestArea(this._smData.a, this._smAreas.length);
    },
    radius: function (count) {
      return count ? Math.max(4, this._smOpts.maxRadius * Math.sqrt(count / this._smMax)) : 0;
    },
    color: function (count) {
      var q = Math.min(AREA_COLORS.length - 1, Math.floor(AREA_COLORS.length * count / (this._smMax + 1)));
      return AREA_COLORS[q];
    },
    _recount: function () {
      if (!this._smData) { return; }
      var areas = this._smAreas;
      SM.countAreas(this._smSet, this._smData, areas);
      var self = this;
      this._smCircles.forEach(function (circle, j) {
        var n = areas[j].count;
        circle.setRadius(self.radius(n));
        circle.setStyle({ fillColor: self.color(n), opacity: n ? 1 : 0, fillOpacity: n ? 0.45 : 0 });
      });
      this._cullLabels();
    },
    /* Pixel boxes of an area's count (centred in its circle) and name (below it). */
    _labelBoxes: function (j) {
      var a = this._smAreas[j], c = this._smCircles[j], p = this._map.latLngToLayerPoint(c.getLatLng());
      var r = this.radius(a.count), wc = textWidth(formatInt(a.count), AREA_COUNT_FONT) / 2 + 2;
      var wn = textWidth(a.name, AREA_NAME_FONT) / 2 + 2, yn = p.y + r + 9;
      return { count: { x0: p.x - wc, x1: p.x + wc, y0: p.y - 8, y1: p.y + 8 },
               name: { x0: p.x - wn, x1: p.x + wn, y0: yn - 8, y1: yn + 8 } };
    },
    /* Boxes around the event marks drawn now (layer pixels): labels are kept clear of them. */
    _markBoxes: function () {
      var set = this._smSet, map = this._map, out = [], r0 = set.opts.marker.radius;
      (set.marks || []).forEach(function (mk) {
        var p = map.latLngToLayerPoint(set._markLatLng(mk)), r = (mk.n === 1 ? r0 : mk.radius) + 1;
        out.push({ x0: p.x - r, x1: p.x + r, y0: p.y - r, y1: p.y + r });
      });
      return out;
    },
    /* Labels that neither overlap each other nor lie under an event mark: areas by descending count
     * place their count, then their name, only where nothing placed before lies (the busiest areas
     * keep theirs); the tooltip gives every area's numbers. */
    _cullLabels: function () {
      if (!this._map) { return; }
      var self = this, marks = this._markBoxes(), placed = [], areas = this._smAreas;
      var order = areas.map(function (_, j) { return j; }).filter(function (j) { return areas[j].count > 0; });
      order.sort(function (i, j) { return areas[j].count - areas[i].count || i - j; });
      areas.forEach(function (a) { a.showCount = false; a.showName = false; });
      order.forEach(function (j) {
        var boxes = self._labelBoxes(j), a = areas[j];
        function free(box) {
          return placed.every(function (b) { return !overlaps(box, b); }) &&
            marks.every(function (b) { return !overlaps(box, b); });
        }
        if (!free(boxes.count)) { return; }
        placed.push(boxes.count);
        a.showCount = true;
        if (free(boxes.name)) { placed.push(boxes.name); a.showName = true; }
      });
    },
    /* For tests: container-pixel boxes of the labels drawn now, with their text. */
    labelBoxes: function () {
      var self = this, map = this._map, out = [];
      var shift = map.latLngToContainerPoint([0, 0]).subtract(map.latLngToLayerPoint([0, 0]));
      function moved(box, text) {
        return { text: text, x0: box.x0 + shift.x, x1: box.x1 + shift.x, y0: box.y0 + shift.y, y1: box.y1 + shift.y };
      }
      this._smAreas.forEach(function (a, j) {
        var boxes = self._labelBoxes(j);
        if (a.showCount) { out.push(moved(boxes.count, formatInt(a.count))); }
        if (a.showName) { out.push(moved(boxes.name, a.name)); }
      });
      return out;
    },
    _smTooltipContent: function (j) {
      var a = this._smAreas[j], box = el("div");
      box.appendChild(el("b", null, a.name));
      var line = formatInt(a.count) + " events shown" +
        (this._smData && this._smData.f ? ", " + formatInt(a.fatalities) + " fatalities" : "");
      box.appendChild(el("div", null, line));
      if (a.note) { box.appendChild(el("i", null, a.note)); }
      return box;
    }
  });

  EventSet.prototype.areas = function (opts) { return new AreaLayer(this, opts); };

  /* Size (and colour) legend of an area layer: three reference circles on its scale. */
  /* The events shown now (ticked layers, slider period) counted into areas: each area's count and
   * fatalities.  ``data.a`` is each event's area index (-1: none), ``data.f`` its fatalities (optional). */
  SM.countAreas = function (set, data, areas) {
    var d = set.data, codes = data.a, f = data.f;
    var active = set.groups.map(function (g) { return g._smActive; });
    areas.forEach(function (a) { a.count = 0; a.fatalities = 0; });
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      if (c < 0 || !set.visible[i] || !active[d.k[i]]) { continue; }
      areas[c].count += 1;
      if (f) { areas[c].fatalities += f[i]; }
    }
  };

  /* The largest count of any area with every event counted (at least 1): one scale for every period. */
  SM.largestArea = function (codes, nAreas) {
    var top = new Int32Array(nAreas), max = 1;
    for (var i = 0; i < codes.length; i++) { if (codes[i] >= 0) { top[codes[i]] += 1; } }
    for (var j = 0; j < nAreas; j++) { if (top[j] > max) { max = top[j]; } }
    return max;
  };

  /* Areas go into the shared canvas below the events: the ticked layers' marks are put back on top. */
  SM.marksOnTop = function (map) {
    SM.sets.forEach(function (s) {
      if (s.map === map) { s.groups.forEach(function (g) { if (g._smActive) { g.marks.bringToFront(); } }); }
    });
  };

  SM.sizeLegend = function (map, layer) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = el("div", "sm-size-legend");
      box.appendChild(el("div", "sm-size-title", layer._smOpts.title));
      var row = el("div", "sm-size-row");
      var max = layer._smMax || 1;
      var refs = [max, Math.max(1, Math.round(max / 4)), Math.max(1, Math.round(max / 16))];
      refs.filter(function (n, j) { return refs.indexOf(n) === j; }).forEach(function (n) {
        var r = layer.radius(n), item = el("div", "sm-size-item"), dot = el("span", "sm-size-dot");
        dot.style.width = dot.style.height = (2 * r) + "px";
        dot.style.backgroundColor = layer.color(n);
        item.appendChild(dot);
        item.appendChild(el("span", null, formatInt(n)));
        row.appendChild(item);
      });
      box.appendChild(row);
      box.appendChild(el("div", "sm-legend-note", "events shown, at the same scale for every period"));
      return box;
    };
    layer._smReady.then(function () { if (layer._map) { control.addTo(map); } });
    return control;
  };

  /* ---- Basemap: light vector layers shipped with the package, under the tiles (seen where tiles do not
   * load, or with no tiles at all): sea-coloured background, land and borders, rivers, governorate and
   * town labels.  Nothing in it is interactive. */
  SM.basemap = function (map, data) {
    function pane(name, z) {
      var p = map.getPane(name) || map.createPane(name);
      p.style.zIndex = String(z);
      p.style.pointerEvents = "none";
      return p;
    }
    pane("smBasemap", 150);
    pane("smBasemapLabels", 390);
    map.getContainer().style.background = "#d6e7f2";
    var renderer = new LazyCanvas({ pane: "smBasemap", padding: PAD });
    renderer._smKeep = true;
    function latlngs(line) { return line.map(function (p) { return [p[1], p[0]]; }); }
    var group = L.layerGroup();
    data.countries.forEach(function (poly) {
      L.polygon(poly.map(latlngs), { renderer: renderer, interactive: false, color: "#9c9c9c", weight: 0.8,
                                     fillColor: "#f5f3ee", fillOpacity: 1 }).addTo(group);
    });
    (data.governorate_borders || []).forEach(function (line) {
      L.polyline(latlngs(line), { renderer: renderer, interactive: false, color: "#b3a6b8", weight: 0.9,
                                  dashArray: "4 3" }).addTo(group);
    });
    data.rivers.forEach(function (river) {
      L.polyline(latlngs(river.line), { renderer: renderer, interactive: false, color: "#93bfdc",
                                        weight: 1.6 }).addTo(group);
    });
    function label(item, className) {
      var box = el("div", className);
      box.appendChild(el("span", "sm-base-text", item.name));
      return L.marker([item.lat, item.lon], {
        pane: "smBasemapLabels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "sm-base-icon", html: box, iconSize: null })
      });
    }
    data.governorates.forEach(function (g) { label(g, "sm-base-gov").addTo(group); });
    data.towns.forEach(function (t) { label(t, "sm-base-town sm-base-rank" + t.rank).addTo(group); });
    group.addTo(map);
    function byZoom() {
      var z = map.getZoom(), labels = map.getPane("smBasemapLabels");
      labels.classList.toggle("sm-base-far", z < 6);
      labels.classList.toggle("sm-base-near", z >= 8);
    }
    map.on("zoomend", byZoom);
    byZoom();
    if (map.attributionControl) { map.attributionControl.addAttribution(data.attribution); }
    return group;
  };

  SM.eventSet = function (map, opts) { return new EventSet(map, opts); };

  /* ------------------------------------------------------------------ */
  /* The legend: colour, name (cut to one line, the full name on hover) and count of each layer.  Its
   * title is a button that folds it; it starts folded beyond COLLAPSE_LEGEND layers or on narrow maps. */
  var COLLAPSE_LEGEND = 8;

  SM.legend = function (map, set, opts) {
    var control = L.control({ position: opts.position });
    control.onAdd = function () {
      var box = el("div", "sm-legend");
      var head = el("button", "sm-legend-title", opts.title || "Layers");
      head.type = "button";
      head.setAttribute("aria-expanded", "true");
      box.appendChild(head);
      var rows = el("div", "sm-legend-rows");
      set.meta.categories.forEach(function (name, k) {
        var row = el("div", "sm-legend-row");
        var swatch = el("span", "sm-swatch");
        swatch.style.backgroundColor = safeColor(set.opts.colors[k]);
        row.appendChild(swatch);
        var label = el("span", "sm-legend-name", name);
        label.title = name;
        row.appendChild(label);
        row.appendChild(el("span", "sm-legend-count", formatInt(set.meta.counts[k])));
        rows.appendChild(row);
      });
      box.appendChild(rows);
      function fold(folded) {
        box.classList.toggle("sm-folded", folded);
        head.setAttribute("aria-expanded", folded ? "false" : "true");
      }
      fold(set.meta.categories.length > COLLAPSE_LEGEND || map.getSize().x < 600);
      L.DomEvent.on(head, "click", function () { fold(!box.classList.contains("sm-folded")); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control.addTo(map);
  };

  SM.caption = function (map, set, opts) {
    var control = L.control({ position: opts.position });
    control.onAdd = function () {
      var box = el("div", "sm-caption");
      opts.lines.forEach(function (line) { box.appendChild(el("div", null, line)); });
      if (set) {
        var live = el("div", "sm-caption-shown");
        box.appendChild(live);
        set.onUpdate(function (s) { live.textContent = "Shown now: " + formatInt(s.shown) + " events"; });
      }
      return box;
    };
    return control.addTo(map);
  };

  SM.title = function (map, text) {
    var box = el("div", "sm-title", text);
    map.getContainer().appendChild(box);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };

  SM.fullscreen = function (map, opts) {
    var control = L.control({ position: opts.position });
    control.onAdd = function () {
      var box = el("div", "leaflet-bar sm-fullscreen");
      var a = el("a");
      a.appendChild(el("span", "sm-fullscreen-icon", "\u2922"));
      a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button");
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var c = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (c.requestFullscreen) { c.requestFullscreen(); }
      });
      document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
      L.DomEvent.disableClickPropagation(box);
      box.appendChild(a);
      return box;
    };
    return control.addTo(map);
  };

  /* ------------------------------------------------------------------ */
  /* One slider per map filters every EventSet of that map by period. */
  function TimeSlider(map, opts) {
    this.map = map;
    this.opts = opts;
    this.labels = [];
    SM.sliders.push(this);
  }

  TimeSlider.prototype.sets = function () {
    var map = this.map;
    return SM.sets.filter(function (s) { return s.map === map; });
  };

  TimeSlider.prototype.addTo = function (map) {
    var self = this, control = L.control({ position: this.opts.position });
    control.onAdd = function () {
      var box = el("div", "sm-slider");
      self.play = el("button", "sm-play", "\u25B6");
      self.play.type = "button"; self.play.title = "Play";
      self.range = el("input"); self.range.type = "range"; self.range.min = "0"; self.range.value = "0";
      self.range.className = "sm-range";
      self.label = el("span", "sm-slider-label", "All dates");
      var allBox = el("label", "sm-check"); self.all = el("input"); self.all.type = "checkbox"; self.all.checked = true;
      allBox.appendChild(self.all); allBox.appendChild(document.createTextNode(" all dates"));
      var cumBox = el("label", "sm-check"); self.cumulative = el("input"); self.cumulative.type = "checkbox";
      cumBox.appendChild(self.cumulative); cumBox.appendChild(document.createTextNode(" cumulative"));
      self.note = el("div", "sm-slider-note");
      var row = el("div", "sm-slider-row");
      [self.play, self.range, self.label].forEach(function (n) { row.appendChild(n); });
      box.appendChild(row);
      var ends = el("div", "sm-slider-ends");
      self.first = el("span", "sm-slider-first");
      self.last = el("span", "sm-slider-last");
      ends.appendChild(self.first); ends.appendChild(self.last);
      box.appendChild(ends);
      var row2 = el("div", "sm-slider-row");
      row2.appendChild(allBox); row2.appendChild(cumBox); row2.appendChild(self.note);
      box.appendChild(row2);
      L.DomEvent.on(self.range, "input", function () { self.all.checked = false; self.apply(); });
      L.DomEvent.on(self.all, "change", function () { self.apply(); });
      L.DomEvent.on(self.cumulative, "change", function () { self.apply(); });
      L.DomEvent.on(self.play, "click", function () { self.toggle(); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      self.refresh();
      return box;
    };
    control.addTo(map);
    return this;
  };

  /* Union of the periods of every loaded EventSet on the map. */
  TimeSlider.prototype.refresh = function () {
    if (!this.range) { return; }
    var seen = {}, undated = 0;
    this.sets().forEach(function (s) {
      s.meta.steps.forEach(function (l) { seen[l] = true; });
      undated += s.meta.n_undated;
    });
    this.labels = Object.keys(seen).sort();
    this.range.max = String(Math.max(this.labels.length - 1, 0));
    this.range.disabled = this.labels.length === 0;
    this.play.disabled = this.labels.length === 0;
    this.note.textContent = undated ? formatInt(undated) + " undated events always shown" : "";
    this.first.textContent = this.labels.length ? this.labels[0] : "";
    this.last.textContent = this.labels.length ? this.labels[this.labels.length - 1] : "";
  };

  TimeSlider.prototype.apply = function () {
    var all = this.all.checked || !this.labels.length;
    var label = all ? null : this.labels[Number(this.range.value)];
    this.label.textContent = all ? "All dates" : (this.cumulative.checked ? "up to " : "") + label;
    var cumulative = this.cumulative.checked;
    this.sets().forEach(function (s) { s.setFilter(label, all, cumulative); });
  };

  TimeSlider.prototype.toggle = function () {
    var self = this;
    if (this.timer) {
      clearInterval(this.timer); this.timer = null; this.play.textContent = "\u25B6"; return;
    }
    if (!this.labels.length) { return; }
    if (this.all.checked || Number(this.range.value) >= this.labels.length - 1) { this.range.value = "0"; }
    this.all.checked = false;
    this.play.textContent = "\u275A\u275A";
    this.apply();
    this.timer = setInterval(function () {
      var next = Number(self.range.value) + 1;
      if (next > self.labels.length - 1) { self.toggle(); return; }
      self.range.value = String(next);
      self.apply();
    }, this.opts.interval);
  };

  SM.timeSlider = function (map, opts) {
    var existing = SM.sliders.filter(function (s) { return s.map === map; })[0];
    return existing || new TimeSlider(map, opts).addTo(map);
  };
})();
