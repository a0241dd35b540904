// Clustered request points and a neighbourhood choropleth; works without any tile server.
(function () {
  const el = document.getElementById("map");
  if (!el) return;
  const digits = s => document.documentElement.lang === "fa" ? String(s).replace(/\d/g, d => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(s);
  const map = L.map(el, { preferCanvas: true, maxZoom: 19, minZoom: 3, zoomControl: false });
  L.control.zoom({ zoomInTitle: el.dataset.labelZoomIn || "Zoom in", zoomOutTitle: el.dataset.labelZoomOut || "Zoom out" }).addTo(map);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  const colours = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];
  function colour(n, max) { return n ? colours[Math.min(5, 1 + Math.floor(4.99 * n / Math.max(max, 1)))] : colours[0]; }
  function render(data) {
    const counts = data.counts || {};
    const max = Math.max(0, ...Object.values(counts));
    const areas = L.layerGroup();
    let bounds = null;
    (data.boundaries || []).forEach(fc => {
      const layer = L.geoJSON(fc, {
        style: f => ({ color: "#555", weight: 1, fillOpacity: 0.65, fillColor: colour(counts[f.properties.name] || 0, max) }),
        onEachFeature: (f, l) => l.bindTooltip(f.properties.name + ": " + digits(counts[f.properties.name] || 0) + " " + el.dataset.labelRequests, { sticky: true })
      });
      areas.addLayer(layer);
      bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
    });
    // the plugin's own cluster icon, with the count in the reader's digits
    const cluster = L.markerClusterGroup({
      chunkedLoading: true,
      iconCreateFunction: c => {
        const n = c.getChildCount();
        const size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        return L.divIcon({ html: "<div><span>" + digits(n) + "</span></div>", className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
      }
    });
    cluster.addLayers((data.points || []).map(p => L.circleMarker([p[0], p[1]], { radius: 5, color: "#0d6efd", weight: 1, fillOpacity: 0.8 })));
    areas.addTo(map); cluster.addTo(map);
    if (!bounds && data.points && data.points.length) bounds = cluster.getBounds();
    if (bounds && bounds.isValid()) map.fitBounds(bounds); else map.setView(data.center && data.center[0] ? data.center : [38.47, 27.22], 12);
    document.getElementById("show-points").addEventListener("change", e => e.target.checked ? cluster.addTo(map) : map.removeLayer(cluster));
    document.getElementById("show-areas").addEventListener("change", e => e.target.checked ? areas.addTo(map) : map.removeLayer(areas));
    const body = document.querySelector("#hood-table tbody");
    Object.entries(counts).sort((a, b) => b[1] - a[1]).forEach(([name, n]) => {
      const tr = document.createElement("tr");
      const td1 = document.createElement("td"); td1.textContent = name; td1.dir = "auto";
      const td2 = document.createElement("td"); td2.textContent = digits(n); td2.className = "text-end";
      tr.append(td1, td2); body.append(tr);
    });
    if (!(data.points && data.points.length) && !(data.boundaries && data.boundaries.length) && el.dataset.labelEmpty) {
      const note = document.createElement("div");
      note.className = "position-absolute top-50 start-50 translate-middle bg-body border rounded px-3 py-2 small text-secondary";
      note.style.zIndex = 1000; note.id = "map-empty"; note.textContent = el.dataset.labelEmpty;
      el.append(note);
    }
    el.dataset.ready = "1";
  }
  if (el.dataset.static) render(JSON.parse(document.getElementById(el.dataset.static).textContent));
  else fetch(el.dataset.url, { credentials: "same-origin" }).then(r => r.json()).then(render);
})();
