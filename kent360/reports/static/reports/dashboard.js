// Draws every <canvas data-chart> from the JSON in #chart-data; redraws after HTMX swaps.
(function () {
  const palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#ffc107", "#6c757d", "#d63384"];
  const charts = [];
  function draw() {
    charts.splice(0).forEach(c => c.destroy());
    const el = document.getElementById("chart-data");
    if (!el || !window.Chart) return;
    const data = JSON.parse(el.textContent);
    const rtl = document.documentElement.dir === "rtl";
    document.querySelectorAll("canvas[data-chart]").forEach(canvas => {
      const d = data[canvas.dataset.chart];
      if (!d) return;
      const type = canvas.dataset.type || "bar";
      charts.push(new Chart(canvas, {
        type: type,
        data: { labels: d.labels, datasets: [{ data: d.data, backgroundColor: type === "line" ? "#0d6efd33" : palette, borderColor: type === "line" ? "#0d6efd" : undefined, fill: type === "line", tension: 0.2 }] },
        options: {
          animation: false, locale: document.documentElement.lang,
          indexAxis: type === "bar" && canvas.dataset.chart !== "backlog" ? "y" : "x",
          plugins: { legend: { display: type === "doughnut", position: "bottom", rtl: rtl } },
          scales: type === "doughnut" ? {} : { x: { reverse: rtl && type !== "bar" } }
        }
      }));
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", draw);
})();
