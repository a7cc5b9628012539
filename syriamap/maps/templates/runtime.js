/* syriamap event-map runtime (included once per page).
 *
 * One EventSet per event_map() call holds every event once, in columns decoded
 * from a gzip+base64 payload, and draws them as canvas circle markers, one
 * Leaflet layer per category (a marker-cluster group filled through its bulk
 * addLayers/removeLayers API, or a plain feature group).  The time slider, heat
 * layers, legend and caption read from the same columns.  Every string that
 * comes from the data is put into the page with textContent, never innerHTML.
 */
(function () {
  "use strict";
  if (window.SyriaMap) { return; }
  var SM = window.SyriaMap = { sets: [], sliders: [] };
  var SCALE = 100000;
  var COLOR_RE = /^#[0-9a-fA-F]{6}$/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeColor(color) { return COLOR_RE.test(color) ? color : "#7f7f7f"; }

  function formatInt(n) { return Number(n).toLocaleString("en-US"); }

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

  /* ------------------------------------------------------------------ */
  function EventSet(map, opts) {
    var self = this;
    this.map = map;
    this.opts = opts;
    this.meta = opts.meta;
    this.groups = [];
    this.heats = [];
    this.listeners = [];
    this.data = null;
    this.filter = { label: null, all: true, cumulative: false };
    this.renderer = L.canvas({ padding: 0.5 });
    // marker-cluster needs a finite max zoom, which a map without tile layer lacks
    if (opts.cluster && !isFinite(map.getMaxZoom())) { map.setMaxZoom(18); }
    this.meta.categories.forEach(function (name, k) {
      var color = safeColor(opts.colors[k]);
      // chunkedLoading stays off: marker-cluster's chunked addLayers fails when the layer is
      // unticked mid-way (its _map is gone), and bulk addLayers is fast enough without it.
      var group = opts.cluster ? L.markerClusterGroup({
        chunkedLoading: false,
        showCoverageOnHover: false,
        iconCreateFunction: function (cluster) { return self._clusterIcon(cluster, color); }
      }) : L.featureGroup();
      group.on("click", function (e) { self._openPopup(e.layer); });
      group.on("mouseover", function (e) { self._openTooltip(e.layer); });
      group._smCategory = k;
      self.groups.push(group);
    });
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

  EventSet.prototype._clusterIcon = function (cluster, color) {
    var n = cluster.getChildCount();
    var outer = el("div");
    var inner = el("div", null);
    inner.style.backgroundColor = color;
    inner.appendChild(el("span", null, n));
    outer.appendChild(inner);
    return L.divIcon({ html: outer.innerHTML, className: "marker-cluster sm-cluster", iconSize: L.point(40, 40) });
  };

  EventSet.prototype._load = function (d) {
    var n = d.k.length, self = this;
    this.data = d;
    this.visible = new Uint8Array(n);
    this.markers = new Array(n);
    this.byCategory = this.groups.map(function () { return []; });
    var colors = this.opts.colors.map(safeColor);
    var style = this.opts.marker;
    for (var i = 0; i < n; i++) {
      var m = L.circleMarker([d.lat[i] / SCALE, d.lon[i] / SCALE], {
        renderer: this.renderer, radius: style.radius, color: style.stroke, weight: style.weight,
        fillColor: colors[d.k[i]], fillOpacity: style.opacity, bubblingMouseEvents: true
      });
      m._smIndex = i;
      this.markers[i] = m;
      this.byCategory[d.k[i]].push(i);
    }
    this.update();
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
    if (this.data) { this.update(); }
  };

  EventSet.prototype.update = function () {
    var d = this.data, f = this.filter, bound = f.all ? null : this._stepBound();
    var self = this, shown = 0;
    this.groups.forEach(function (group, k) {
      var add = [], remove = [], idx = self.byCategory[k];
      for (var j = 0; j < idx.length; j++) {
        var i = idx[j], s = d.s[i];
        var v = (s < 0 || f.all || (f.cumulative ? s <= bound.upto : s === bound.exact)) ? 1 : 0;
        shown += v;
        if (v !== self.visible[i]) { (v ? add : remove).push(self.markers[i]); self.visible[i] = v; }
      }
      if (group.addLayers) {
        if (remove.length) { group.removeLayers(remove); }
        if (add.length) { group.addLayers(add); }
      } else {
        remove.forEach(function (m) { group.removeLayer(m); });
        add.forEach(function (m) { group.addLayer(m); });
      }
    });
    this.shown = shown;
    this._updateHeat();
    this.listeners.forEach(function (fn) { fn(self); });
  };

  EventSet.prototype._updateHeat = function () {
    if (!this.heats.length || !this.data) { return; }
    var d = this.data, pts = [], i;
    var weights = d.w, max = 0;
    for (i = 0; i < d.k.length; i++) {
      if (!this.visible[i]) { continue; }
      if (weights) {
        var w = weights[i];
        if (w === null || w <= 0) { continue; }
        if (w > max) { max = w; }
        pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE, w]);
      } else {
        pts.push([d.lat[i] / SCALE, d.lon[i] / SCALE]);
      }
    }
    this.heats.forEach(function (h) {
      if (weights && max > 0) { h.setOptions({ max: max }); }
      h.setLatLngs(pts);
    });
  };

  /* Events drawn right now on the map: single markers and the counts of the clusters. */
  EventSet.prototype.drawnCounts = function () {
    var map = this.map, out = { markers: 0, clustered: 0, clusters: 0 };
    this.groups.forEach(function (group) {
      if (!map.hasLayer(group)) { return; }
      var inner = group._featureGroup || group;
      inner.eachLayer(function (layer) {
        if (layer.getChildCount) { out.clusters += 1; out.clustered += layer.getChildCount(); }
        else { out.markers += 1; }
      });
    });
    return out;
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

  EventSet.prototype._openPopup = function (layer) {
    if (!layer || layer._smIndex === undefined) { return; }
    L.popup({ maxWidth: 380 }).setLatLng(layer.getLatLng())
      .setContent(this._popupContent(layer._smIndex)).openOn(this.map);
  };

  EventSet.prototype._openTooltip = function (layer) {
    if (!layer || layer._smIndex === undefined || layer._smTooltip) { return; }
    var d = this.data, i = layer._smIndex, parts = [this.meta.categories[d.k[i]]];
    var t = this.opts.tooltipColumns;
    for (var j = 0; j < t.length; j++) {
      var value = columnValue(d.cols[t[j]], i);
      if (value !== null && value !== undefined) { parts.push(value); }
    }
    layer._smTooltip = true;
    layer.bindTooltip(el("span", null, parts.join(" · ")), { sticky: true }).openTooltip();
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
