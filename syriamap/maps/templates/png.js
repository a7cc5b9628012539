/* syriamap "Save PNG": the current view of a map drawn into one PNG, in the page, with no network.
 * Painted in order: the map's background colour, tile images (those the browser lets a canvas read),
 * every canvas of the map panes (basemap, areas, events), then text and coloured swatches of the
 * labels and of the legend, caption and title boxes, each at its place on screen. */
(function () {
  "use strict";
  var SM = window.SyriaMap;
  var BOXES = ".sm-legend, .sm-size-legend, .sm-caption, .sm-title";

  function visible(node) {
    var s = window.getComputedStyle(node);
    return s.display !== "none" && s.visibility !== "hidden" && Number(s.opacity) > 0;
  }

  function drawImage(ctx, node, origin) {
    var r = node.getBoundingClientRect();
    if (!r.width || !r.height) { return; }
    try { ctx.drawImage(node, r.left - origin.left, r.top - origin.top, r.width, r.height); } catch (e) { /* not loaded */ }
  }

  /* Coloured backgrounds (swatches, dots, boxes) and text of an element, as the browser laid them out. */
  function paintElement(ctx, root, origin) {
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    nodes.forEach(function (node) {
      if (!visible(node)) { return; }
      var s = window.getComputedStyle(node), bg = s.backgroundColor;
      if (bg && bg !== "transparent" && bg !== "rgba(0, 0, 0, 0)") {
        var r = node.getBoundingClientRect(), x = r.left - origin.left, y = r.top - origin.top;
        ctx.fillStyle = bg;
        ctx.beginPath();
        if (parseFloat(s.borderTopLeftRadius) >= Math.min(r.width, r.height) / 2) {
          ctx.arc(x + r.width / 2, y + r.height / 2, Math.min(r.width, r.height) / 2, 0, 2 * Math.PI);
        } else {
          ctx.rect(x, y, r.width, r.height);
        }
        ctx.fill();
      }
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), text;
    while ((text = walker.nextNode())) {
      var value = text.nodeValue.trim(), parent = text.parentElement;
      if (!value || !parent || !visible(parent)) { continue; }
      var range = document.createRange();
      range.selectNodeContents(text);
      var rects = range.getClientRects(), ps = window.getComputedStyle(parent);
      if (!rects.length) { continue; }
      ctx.font = ps.fontStyle + " " + ps.fontWeight + " " + ps.fontSize + " " + ps.fontFamily;
      ctx.textBaseline = "middle";
      ctx.textAlign = "left";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.8)";
      ctx.fillStyle = ps.color;
      var rc = rects[0];
      ctx.strokeText(value, rc.left - origin.left, rc.top - origin.top + rc.height / 2);
      ctx.fillText(value, rc.left - origin.left, rc.top - origin.top + rc.height / 2);
    }
  }

  /* The view of ``map`` as a canvas of its size (device pixels). */
  SM.renderCanvas = function (map) {
    var container = map.getContainer(), origin = container.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(origin.width * ratio);
    canvas.height = Math.round(origin.height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = window.getComputedStyle(container).backgroundColor || "#ffffff";
    ctx.fillRect(0, 0, origin.width, origin.height);
    // tiles, canvases and labels, in the stacking order of their panes (basemap 150, tiles 200, labels 390,
    // areas and events 400...), each pane's content in document order
    var pane = map.getPanes().mapPane;
    var nodes = Array.prototype.slice.call(pane.querySelectorAll("img.leaflet-tile-loaded, canvas, .leaflet-marker-icon"));
    nodes.forEach(function (node, i) {
      var holder = node.closest(".leaflet-pane");
      node._smOrder = [holder ? parseInt(window.getComputedStyle(holder).zIndex, 10) || 0 : 0, i];
    });
    nodes.sort(function (a, b) { return (a._smOrder[0] - b._smOrder[0]) || (a._smOrder[1] - b._smOrder[1]); });
    nodes.forEach(function (node) {
      if (!visible(node)) { return; }
      if (node.tagName === "IMG") {
        // a tile without CORS would taint the canvas (no export at all): draw it on a probe first
        var probe = document.createElement("canvas").getContext("2d");
        try { probe.drawImage(node, 0, 0, 1, 1); probe.getImageData(0, 0, 1, 1); } catch (e) { return; }
        drawImage(ctx, node, origin);
      } else if (node.tagName === "CANVAS") {
        drawImage(ctx, node, origin);
      } else {
        paintElement(ctx, node, origin);
      }
    });
    container.querySelectorAll(BOXES).forEach(function (box) {
      if (!visible(box)) { return; }
      var r = box.getBoundingClientRect();
      ctx.fillStyle = "rgba(255,255,255,0.92)";
      ctx.fillRect(r.left - origin.left, r.top - origin.top, r.width, r.height);
      paintElement(ctx, box, origin);
    });
    var attribution = container.querySelector(".leaflet-control-attribution");
    if (attribution && visible(attribution)) {
      var ra = attribution.getBoundingClientRect();
      ctx.fillStyle = "rgba(255,255,255,0.8)";
      ctx.fillRect(ra.left - origin.left, ra.top - origin.top, ra.width, ra.height);
      paintElement(ctx, attribution, origin);
    }
    return canvas;
  };

  /* PNG of the current view as a data: URL. */
  SM.renderPng = function (map) { return SM.renderCanvas(map).toDataURL("image/png"); };

  /* A "Save PNG" button: downloads the current view. */
  SM.pngButton = function (map, opts) {
    var control = L.control({ position: opts.position || "topleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-bar sm-png");
      var a = L.DomUtil.create("a", "", box);
      a.href = "#";
      a.title = "Save the current view as a PNG image";
      a.setAttribute("role", "button");
      a.textContent = "PNG";
      a.style.cssText = "font: bold 10px/30px system-ui, sans-serif; width: 30px; text-align: center;";
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.stop(e);
        var link = document.createElement("a");
        link.download = opts.filename || "map.png";
        link.href = SM.renderPng(map);
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  };
})();
