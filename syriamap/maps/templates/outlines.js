/* syriamap choropleth: admin areas coloured by the events shown now (loaded after runtime.js).
 * The areas are drawn on the events' canvas, below the events (the event layers are brought to the
 * front), so an area's tooltip answers wherever no event mark lies over it; colours are recounted
 * when the time slider or the ticked layers change, on one scale for every period (colour legend). */
(function () {
  "use strict";
  var SM = window.SyriaMap;
  var COLORS = ["#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function formatInt(n) { return Number(n).toLocaleString("en-US"); }
  function latlngs(polygons) {
    return polygons.map(function (poly) {
      return poly.map(function (ring) { return ring.map(function (p) { return [p[1], p[0]]; }); });
    });
  }

  /* Class limits 1 | t1 | t2 ... up to max, on a square-root scale (counts of conflict events are skewed). */
  function breaks(max) {
    var out = [1];
    for (var i = 1; i < COLORS.length - 1; i++) {
      var t = Math.max(out[out.length - 1] + 1, Math.round(max * Math.pow(i / (COLORS.length - 1), 2)));
      if (t < max) { out.push(t); }
    }
    return out;
  }

  var ChoroplethLayer = L.FeatureGroup.extend({
    initialize: function (set, opts) {
      L.FeatureGroup.prototype.initialize.call(this);
      var self = this;
      this._smSet = set;
      this._smOpts = opts;
      this._smAreas = opts.names.map(function (name) { return { name: name, count: 0, fatalities: 0 }; });
      this._smShapes = opts.polygons.map(function (polygons, j) {
        var shape = L.polygon(latlngs(polygons), { renderer: set.renderer, color: "#666666", weight: 0.8,
                                                   fillColor: COLORS[0], fillOpacity: 0.0 });
        shape.bindTooltip(function () { return self._tooltip(j); }, { sticky: true });
        return shape;
      });
      this._smBreaks = [1];
      this._smReady = SM.decode(opts.data).then(function (d) { self._smData = d; return set.ready; })
        .then(function () { self._scale(); self._recount(); });
      set.onUpdate(function () { self._recount(); });
    },
    onAdd: function (map) {
      var self = this;
      L.FeatureGroup.prototype.onAdd.call(this, map);
      this._smShapes.forEach(function (s) { self.addLayer(s); });
      SM.marksOnTop(map);
      if (map.attributionControl && this._smOpts.attribution) {
        map.attributionControl.addAttribution(this._smOpts.attribution);
      }
      this._smLegend = L.control({ position: "topright" });
      this._smLegend.onAdd = function () { return self._legendBox(); };
      this._smReady.then(function () { if (self._map) { self._smLegend.addTo(map); } });
    },
    onRemove: function (map) {
      L.FeatureGroup.prototype.onRemove.call(this, map);
      this.clearLayers();
      if (map.attributionControl && this._smOpts.attribution) {
        map.attributionControl.removeAttribution(this._smOpts.attribution);
      }
      if (this._smLegend) { this._smLegend.remove(); }
    },
    /* One scale for every period: the largest count at all dates with every layer ticked. */
    _scale: function () {
      this._smMax = SM.largestArea(this._smData.a, this._smAreas.length);
      this._smBreaks = breaks(this._smMax);
    },
    colorIndex: function (count) {
      if (!count) { return -1; }
      var b = this._smBreaks, q = 0;
      while (q + 1 < b.length && count >= b[q + 1]) { q += 1; }
      return q + (COLORS.length - b.length);
    },
    color: function (count) { var q = this.colorIndex(count); return q < 0 ? null : COLORS[q]; },
    _recount: function () {
      if (!this._smData) { return; }
      var areas = this._smAreas;
      SM.countAreas(this._smSet, this._smData, areas);
      var self = this;
      this._smShapes.forEach(function (shape, j) {
        var fill = self.color(areas[j].count);
        shape.setStyle({ fillColor: fill || "#ffffff", fillOpacity: fill ? 0.55 : 0.08 });
      });
    },
    _tooltip: function (j) {
      var a = this._smAreas[j], box = el("div");
      box.appendChild(el("b", null, a.name));
      box.appendChild(el("div", null, formatInt(a.count) + " events shown" +
        (this._smData && this._smData.f ? ", " + formatInt(a.fatalities) + " fatalities" : "")));
      return box;
    },
    _legendBox: function () {
      var box = el("div", "sm-size-legend sm-choropleth-legend"), b = this._smBreaks, max = this._smMax;
      box.appendChild(el("div", "sm-size-title", this._smOpts.title));
      var offset = COLORS.length - b.length;
      b.forEach(function (lo, q) {
        var hi = q + 1 < b.length ? b[q + 1] - 1 : max;
        var row = el("div", "sm-choropleth-row"), swatch = el("span", "sm-choropleth-swatch");
        swatch.style.cssText = "display:inline-block;width:14px;height:10px;margin-right:6px;opacity:0.8;" +
          "border:1px solid #888;vertical-align:middle;background-color:" + COLORS[q + offset];
        row.appendChild(swatch);
        row.appendChild(el("span", null, lo === hi ? formatInt(lo) : formatInt(lo) + "\u2013" + formatInt(hi)));
        box.appendChild(row);
      });
      box.appendChild(el("div", "sm-legend-note", "events shown, same scale for every period"));
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
    /* For tests and the PNG export: each area's name, count and fill now. */
    state: function () {
      var self = this;
      return this._smAreas.map(function (a, j) {
        return { name: a.name, count: a.count, fill: self._smShapes[j].options.fillColor };
      });
    }
  });

  SM.choropleth = function (set, opts) { return new ChoroplethLayer(set, opts); };
})();
