/* syriamap event-map runtime (included once per page).
 *
 * One EventSet per event_map() call holds every event once, in columns decoded
 * from a gzip+base64 payload, and draws them on one Leaflet canvas renderer,
 * one Leaflet layer per category.  Nothing is created per event: each layer is
 * clustered on a pixel grid for the current zoom, the part of the world in view
 * (plus half a screen around it) and the events the time slider lets through,
 * and redrawn after every move, zoom, filter or layer toggle.  A cluster is a
 * circle with its count; clicking it zooms to its events; events alone in their
 * cell, and every event above the last cluster zoom, are points with popups.
 * Events at one and the same place stay one circle at every zoom: clicking it
 * opens their popups one after the other.  The time slider, heat layers, legend
 * and caption read the same columns.  Every string that comes from the data is
 * put into the page with textContent, never innerHTML.
 */
(function () {
  "use strict";
  if (window.SyriaMap) { return; }
  var SM = window.SyriaMap = { sets: [], sliders: [] };
  var SCALE = 100000;
  var COLOR_RE = /^#[0-9a-fA-F]{6}$/;
  var CELL_KEY = 4194304;   // 2^22: grid column * CELL_KEY + grid row (columns < 2^21 up to zoom 18)
  var PLACE_KEY = 33554432; // 2^25: (lon + 180) * 1e5 * PLACE_KEY + (lat + 90) * 1e5, exact and < 2^53

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeColor(color) { return COLOR_RE.test(color) ? color : "#7f7f7f"; }

  function formatInt(n) { return Number(n).toLocaleString("en-US"); }

  /* Label written on a cluster: the exact count up to 9,999, then thousands ("12k"). */
  function clusterLabel(n) { return n < 10000 ? String(n) : Math.floor(n / 1000) + "k"; }

  /* gzip+base64 -> object, with the browser's own DecompressionStream. */
  SM.decode = function (b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  };

  function columnValue(col, i) {
    if (col.v) { return col.v[i]; }
    var c = col.c[i];
    return c === null || c === undefined ? null : col.d[c];
  }

  /* A cluster: a canvas circle (drawn by Leaflet's canvas renderer) with its count written on it. */
  var ClusterMarker = L.CircleMarker.extend({
    _updatePath: function () {
      L.CircleMarker.prototype._updatePath.call(this);
      var r = this._renderer, ctx = r && r._ctx;
      if (!ctx || !r._drawing || this._empty()) { return; }
      var p = this._point, text = clusterLabel(this._smCluster.n);
      ctx.globalAlpha = 1;
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(0,0,0,0.6)";
      ctx.strokeText(text, p.x, p.y);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(text, p.x, p.y);
    }
  });

  /* The layer of one category: the layer control ticks it; its content is redrawn by the EventSet. */
  var CategoryGroup = L.FeatureGroup.extend({
    initialize: function (set) {
      L.FeatureGroup.prototype.initialize.call(this);
      this._smSet = set;
      this._smActive = false;
    },
    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      this._smActive = true;
      this._smSet._toggled();
    },
    onRemove: function (map) {
      L.FeatureGroup.prototype.onRemove.call(this, map);
      this._smActive = false;
      this.clearLayers();
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
    this.renderer = L.canvas({ padding: 0.5 });
    this.colors = opts.colors.map(safeColor);
    this.groups = this.meta.categories.map(function () {
      var group = new CategoryGroup(self);
      group.on("click", function (e) { self._onClick(e.propagatedFrom || e.layer); });
      group.on("mouseover", function (e) { self._onHover(e.propagatedFrom || e.layer); });
      return group;
    });
    map.on("moveend", function () { self._redraw(); });
    SM.sets.push(this);
    this.ready = SM.decode(opts.payload).then(function (d) { self._load(d); return self; });
    this.ready.catch(function (err) { console.warn("syriamap: could not load events", err); });
  }

  EventSet.prototype.layer = function (k) { return this.groups[k]; };

  EventSet.prototype.heat = function (options) {
    var layer = L.heatLayer([], options || {});
    this.heats.push(layer);
    if (this.data) { this._updateHeat(); }
    return layer;
  };

  EventSet.prototype.onUpdate = function (fn) { this.listeners.push(fn); };

  /* Columns -> typed arrays, zoom-0 pixel positions and the events of each category. */
  EventSet.prototype._load = function (d) {
    var n = d.k.length, map = this.map, ncat = this.groups.length, i;
    this.data = d;
    this.visible = new Uint8Array(n);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    var sizes = new Int32Array(ncat);
    for (i = 0; i < n; i++) {
      var p = map.project([d.lat[i] / SCALE, d.lon[i] / SCALE], 0);
      this.x[i] = p.x; this.y[i] = p.y;
      sizes[d.k[i]] += 1;
    }
    this.byCategory = Array.prototype.map.call(sizes, function (s) { return new Int32Array(s); });
    var fill = new Int32Array(ncat);
    for (i = 0; i < n; i++) { var k = d.k[i]; this.byCategory[k][fill[k]++] = i; }
    this._applyFilter();
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
    var d = this.data, f = this.filter, bound = f.all ? null : this._stepBound(), n = d.k.length;
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

  /* How events are grouped at the current zoom: grid cells, or only events at the same place. */
  EventSet.prototype._grouping = function () {
    var zoom = this.map.getZoom(), scale = this.map.getZoomScale(zoom, 0);
    var byCell = this.opts.cluster && zoom <= this._clusterZoom();
    return { zoom: zoom, scale: scale, byCell: byCell, cell: this.opts.clusterCell / scale };
  };

  EventSet.prototype._key = function (g, i) {
    if (g.byCell) { return Math.floor(this.x[i] / g.cell) * CELL_KEY + Math.floor(this.y[i] / g.cell); }
    return (this.data.lon[i] + 18000000) * PLACE_KEY + (this.data.lat[i] + 9000000);
  };

  /* Redraw every ticked layer.  Each category is clustered on its own, so clusters of several
   * categories can fall on one another (at the same town, say): those closer than CLOSE_PX are
   * fanned out around their common centre, far enough apart to be read and clicked. */
  var CLOSE_PX = 40;

  EventSet.prototype._redraw = function () {
    if (!this.data) { return; }
    var g = this._grouping(), lists = [], all = [], k, j;
    for (k = 0; k < this.groups.length; k++) {
      this.groups[k].clearLayers();
      lists.push(this.groups[k]._smActive ? this._cells(k, g) : []);
      lists[k].forEach(function (c) {
        c.cx = c.sx / c.n; c.cy = c.sy / c.n;
        if (c.n > 1) { all.push(c); }
      });
    }
    this._fanOut(all, CLOSE_PX / g.scale, g.scale);
    for (k = 0; k < this.groups.length; k++) { this._draw(k, lists[k], g); }
  };

  /* Join clusters of different categories closer than `close` (zoom-0 units) into fans. */
  EventSet.prototype._fanOut = function (clusters, close, scale) {
    var grid = new Map(), parent = clusters.map(function (_, j) { return j; }), j;
    function root(a) { while (parent[a] !== a) { a = parent[a] = parent[parent[a]]; } return a; }
    function cellOf(c) { return Math.floor(c.cx / close) * CELL_KEY + Math.floor(c.cy / close); }
    clusters.forEach(function (c, j) {
      var key = cellOf(c), list = grid.get(key);
      if (list === undefined) { grid.set(key, [j]); } else { list.push(j); }
    });
    clusters.forEach(function (c, j) {
      var col = Math.floor(c.cx / close), row = Math.floor(c.cy / close);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          (grid.get((col + dx) * CELL_KEY + row + dy) || []).forEach(function (o) {
            var other = clusters[o];
            if (other.k !== c.k && Math.abs(other.cx - c.cx) < close && Math.abs(other.cy - c.cy) < close) {
              parent[root(o)] = root(j);
            }
          });
        }
      }
    });
    var fans = new Map();
    for (j = 0; j < clusters.length; j++) {
      var r = root(j), fan = fans.get(r);
      if (fan === undefined) { fans.set(r, [clusters[j]]); } else { fan.push(clusters[j]); }
    }
    fans.forEach(function (fan) {
      if (fan.length < 2) { return; }
      var mx = 0, my = 0, radius = (16 + 3 * fan.length) / scale;
      fan.sort(function (a, b) { return a.k - b.k; });
      fan.forEach(function (c) { mx += c.cx; my += c.cy; });
      mx /= fan.length; my /= fan.length;
      fan.forEach(function (c, m) {
        var angle = -Math.PI / 2 + 2 * Math.PI * m / fan.length;
        c.cx = mx + radius * Math.cos(angle); c.cy = my + radius * Math.sin(angle); c.fanned = true;
      });
    });
  };

  /* The visible events of category k near the view, grouped by grid cell (or place). */
  EventSet.prototype._cells = function (k, g) {
    var pb = this.map.getPixelBounds(), size = pb.getSize();
    var x0 = (pb.min.x - size.x / 2) / g.scale, x1 = (pb.max.x + size.x / 2) / g.scale;
    var y0 = (pb.min.y - size.y / 2) / g.scale, y1 = (pb.max.y + size.y / 2) / g.scale;
    var idx = this.byCategory[k], vis = this.visible, X = this.x, Y = this.y;
    var cells = new Map(), list = [], c;
    for (var j = 0; j < idx.length; j++) {
      var i = idx[j];
      if (!vis[i]) { continue; }
      var x = X[i], y = Y[i];
      if (x < x0 || x > x1 || y < y0 || y > y1) { continue; }
      var key = this._key(g, i);
      c = cells.get(key);
      if (c === undefined) {
        c = { k: k, key: key, n: 0, first: i, sx: 0, sy: 0, minx: x, maxx: x, miny: y, maxy: y };
        cells.set(key, c);
        list.push(c);
      }
      c.n += 1; c.sx += x; c.sy += y;
      if (x < c.minx) { c.minx = x; } else if (x > c.maxx) { c.maxx = x; }
      if (y < c.miny) { c.miny = y; } else if (y > c.maxy) { c.maxy = y; }
    }
    return g.byCell ? this._mergeNeighbours(cells, list, g) : list;
  };

  /* Grid cells cut groups in two at their borders: a cluster takes in the clusters of the eight
   * cells around its own whose centres are closer than two thirds of a cell (biggest first). */
  EventSet.prototype._mergeNeighbours = function (cells, list, g) {
    var near = 2 * g.cell / 3, out = [];
    list.sort(function (a, b) { return b.n - a.n || a.key - b.key; });
    for (var j = 0; j < list.length; j++) {
      var c = list[j];
      if (c.merged) { continue; }
      c.kept = true;
      var col = Math.floor(c.key / CELL_KEY), row = c.key - col * CELL_KEY;
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var o = cells.get((col + dx) * CELL_KEY + row + dy);
          if (!o || o.kept || o.merged) { continue; }
          if (Math.abs(o.sx / o.n - c.sx / c.n) > near || Math.abs(o.sy / o.n - c.sy / c.n) > near) { continue; }
          o.merged = true;
          c.n += o.n; c.sx += o.sx; c.sy += o.sy;
          c.minx = Math.min(c.minx, o.minx); c.maxx = Math.max(c.maxx, o.maxx);
          c.miny = Math.min(c.miny, o.miny); c.maxy = Math.max(c.maxy, o.maxy);
          c.mergedKeys = (c.mergedKeys || [c.key]).concat(o.mergedKeys || [o.key]);
        }
      }
      out.push(c);
    }
    return out;
  };

  /* Draw the groups of category k: a point for a lone event, a counted circle for a cluster. */
  EventSet.prototype._draw = function (k, list, g) {
    var group = this.groups[k], map = this.map, d = this.data, color = this.colors[k], style = this.opts.marker;
    for (var j = 0; j < list.length; j++) {
      var c = list[j], layer;
      if (c.n === 1) {
        layer = L.circleMarker([d.lat[c.first] / SCALE, d.lon[c.first] / SCALE], {
          renderer: this.renderer, radius: style.radius, color: style.stroke, weight: style.weight,
          fillColor: color, fillOpacity: style.opacity
        });
        layer._smIndex = c.first;
      } else {
        c.grouping = g;
        c.samePlace = c.minx === c.maxx && c.miny === c.maxy;
        var at = c.samePlace && !c.fanned ? [d.lat[c.first] / SCALE, d.lon[c.first] / SCALE]
          : map.unproject([c.cx, c.cy], 0);
        layer = new ClusterMarker(at, {
          renderer: this.renderer, radius: 11 + 2.5 * Math.log10(c.n), color: color, weight: 6, opacity: 0.35,
          fillColor: color, fillOpacity: 0.8
        });
        layer._smCluster = c;
      }
      group.addLayer(layer);
    }
  };

  /* Visible events of one cluster (for the popups of events at the same place). */
  EventSet.prototype._members = function (c) {
    var idx = this.byCategory[c.k], out = [];
    for (var j = 0; j < idx.length; j++) {
      var i = idx[j];
      var key = this._key(c.grouping, i);
      if (this.visible[i] && (key === c.key || (c.mergedKeys && c.mergedKeys.indexOf(key) >= 0))) { out.push(i); }
    }
    return out;
  };

  EventSet.prototype._onClick = function (layer) {
    if (!layer) { return; }
    if (layer._smIndex !== undefined) { this.openEvent(layer._smIndex); return; }
    var c = layer._smCluster;
    if (!c) { return; }
    if (c.samePlace) { this._openStack(layer.getLatLng(), this._members(c)); return; }
    var map = this.map;
    var bounds = L.latLngBounds(map.unproject([c.minx, c.miny], 0), map.unproject([c.maxx, c.maxy], 0));
    var zoom = Math.max(Math.min(map.getBoundsZoom(bounds, false, L.point(80, 80)), map.getMaxZoom()),
                        map.getZoom() + 1);
    map.setView(bounds.getCenter(), zoom);
  };

  EventSet.prototype._onHover = function (layer) {
    if (!layer || layer._smTooltip) { return; }
    var text;
    if (layer._smIndex !== undefined) {
      var d = this.data, i = layer._smIndex, parts = [this.meta.categories[d.k[i]]], t = this.opts.tooltipColumns;
      for (var j = 0; j < t.length; j++) {
        var value = columnValue(d.cols[t[j]], i);
        if (value !== null && value !== undefined) { parts.push(value); }
      }
      text = parts.join(" · ");
    } else if (layer._smCluster) {
      var c = layer._smCluster;
      text = formatInt(c.n) + " events · " + this.meta.categories[c.k] +
        (c.samePlace ? " · same place: click to read them" : " · click to zoom in");
    } else {
      return;
    }
    layer._smTooltip = true;
    layer.bindTooltip(el("span", null, text), { sticky: true }).openTooltip();
  };

  EventSet.prototype._popupContent = function (i) {
    var d = this.data, box = el("div", "sm-popup");
    box.appendChild(el("div", "sm-popup-title", this.meta.categories[d.k[i]]));
    var table = el("table");
    for (var j = 0; j < d.cols.length; j++) {
      var value = columnValue(d.cols[j], i);
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
    if (!this.heats.length || !this.data) { return; }
    var d = this.data, pts = [], weights = d.w, max = 0, self = this;
    this.groups.forEach(function (group, k) {
      if (!group._smActive) { return; }
      var idx = self.byCategory[k];
      for (var j = 0; j < idx.length; j++) {
        var i = idx[j];
        if (!self.visible[i]) { continue; }
        if (weights) {
          var w = weights[i];
          if (w === null || w <= 0) { continue; }
          if (w > max) { max = w; }
          pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE, w]);
        } else {
          pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE]);
        }
      }
    });
    this.heats.forEach(function (h) {
      if (weights && max > 0) { h.setOptions({ max: max }); }
      h.setLatLngs(pts);
    });
  };

  /* What is drawn in view now, in total and per category: points, clusters and the events in clusters. */
  EventSet.prototype.drawnCounts = function () {
    var bounds = this.map.getBounds(), names = this.meta.categories;
    var out = { markers: 0, clustered: 0, clusters: 0, byCategory: {} };
    this.groups.forEach(function (group, k) {
      var c = { markers: 0, clustered: 0, clusters: 0 };
      group.eachLayer(function (layer) {
        if (!bounds.contains(layer.getLatLng())) { return; }
        if (layer._smCluster) { c.clusters += 1; c.clustered += layer._smCluster.n; }
        else { c.markers += 1; }
      });
      out.byCategory[names[k]] = c;
      out.markers += c.markers; out.clustered += c.clustered; out.clusters += c.clusters;
    });
    return out;
  };

  SM.eventSet = function (map, opts) { return new EventSet(map, opts); };

  /* ------------------------------------------------------------------ */
  SM.legend = function (map, set, opts) {
    var control = L.control({ position: opts.position });
    control.onAdd = function () {
      var box = el("div", "sm-legend leaflet-bar");
      if (opts.title) { box.appendChild(el("div", "sm-legend-title", opts.title)); }
      set.meta.categories.forEach(function (name, k) {
        var row = el("div", "sm-legend-row");
        var swatch = el("span", "sm-swatch");
        swatch.style.backgroundColor = safeColor(set.opts.colors[k]);
        row.appendChild(swatch);
        if (/^fa-[a-z0-9-]+$/.test(set.opts.icons[k] || "")) {
          row.appendChild(el("i", "fa-solid " + set.opts.icons[k] + " sm-icon"));
        }
        row.appendChild(el("span", "sm-legend-name", name));
        row.appendChild(el("span", "sm-legend-count", formatInt(set.meta.counts[k])));
        box.appendChild(row);
      });
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
      a.appendChild(el("i", "fa-solid fa-expand"));
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
