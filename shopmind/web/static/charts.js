// Charts of the console's Shop page: the forecast fan chart drawn by uPlot (vendored by
// install.sh into /console/vendor/, loaded on first use), sparklines as inline SVG, and the
// colour of a heat-map cell. Plain browser JavaScript; uPlot is the only library.
"use strict";

const UPLOT = {
  version: "1.6.32",
  script: "/console/vendor/uPlot.iife.min.js",
  css: "/console/vendor/uPlot.min.css",
};
const UPLOT_MISSING = "The chart library (uPlot) is not installed: run ./install.sh, which " +
  `vendors uplot@${UPLOT.version} from the npm registry into shopmind/web/static/vendor/ ` +
  "(once; the console then works offline).";
let uplotLoading = null;

// uPlot, loaded once: its stylesheet and its script from the package, never from a CDN.
function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!uplotLoading) {
    uplotLoading = new Promise((resolve, reject) => {
      if (!document.querySelector(`link[href="${UPLOT.css}"]`)) {
        document.head.append(el("link", { rel: "stylesheet", href: UPLOT.css }));
      }
      const script = el("script", { src: UPLOT.script });
      script.addEventListener("load", () => {
        if (window.uPlot) resolve(window.uPlot);
        else reject(new Error(UPLOT_MISSING));
      });
      script.addEventListener("error", () => {
        script.remove();
        uplotLoading = null;  // installed later: the next draw tries again
        reject(new Error(UPLOT_MISSING));
      });
      document.head.append(script);
    });
  }
  return uplotLoading;
}

function epochSeconds(day) {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

function round(value, digits) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

// The forecast of one series as uPlot's columns: x, history, then p50, p90 and p10, the last
// three starting at the last sold period so that the fan opens from the history line.
function fanColumns(data) {
  const history = data.history || [];
  const f = data.forecast || {};
  const past = history.length;
  const ahead = (f.p50 || []).length;
  const periods = (data.periods || []).slice(-(past + ahead));
  const xs = periods.map(epochSeconds);
  const sold = xs.map((_, i) => (i < past ? history[i] : null));
  const fan = (values) => xs.map((_, i) => {
    if (i < past - 1) return null;
    if (i === past - 1) return history[i];
    return values[i - past] ?? null;
  });
  return [xs, sold, fan(f.p50 || []), fan(f.p90 || []), fan(f.p10 || [])];
}

// x ticks on the periods themselves (at most ~10 of them), not on uPlot's round dates
function periodTicks(u) {
  const xs = u.data[0];
  const stride = Math.max(1, Math.ceil(xs.length / 10));
  return xs.filter((_, i) => (xs.length - 1 - i) % stride === 0);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function tickLabel(seconds, i) {
  const d = new Date(seconds * 1000);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return i === 0 || (d.getUTCMonth() === 0 && d.getUTCDate() <= 7) ? `${day}\n${d.getUTCFullYear()}` : day;
}

function fanSummary(data) {
  const f = data.forecast || {};
  const ahead = (f.p50 || []).map((m, i) => `${round(m, 0)} (${round(f.p10[i], 0)}–${round(f.p90[i], 0)})`);
  return `Demand of ${data.name || data.key}: ${(data.history || []).length} periods sold, ` +
    `then the median forecast with its 80% interval: ${ahead.join(", ")}`;
}

// Draw the fan chart of ``data`` (GET /insight/forecast) into ``host``; the uPlot instance is
// kept as host.chart (the tests read its data).
async function fanChart(host, data) {
  const uPlot = await loadUplot();
  if (host.chart) host.chart.destroy();
  host.innerHTML = "";
  host.setAttribute("role", "img");
  host.setAttribute("aria-label", fanSummary(data));
  const band = "rgba(38, 128, 194, 0.22)";
  const edge = "rgba(38, 128, 194, 0.45)";
  const units = (u, values) => values.map((v) => (v === null ? "" : Number(v).toFixed(0)));
  const opts = {
    width: Math.max(320, Math.min(host.clientWidth || 720, 1100)),
    height: 280,
    scales: { x: { time: true } },
    series: [
      { label: data.freq === "D" ? "day" : "week of" },
      { label: "sold", stroke: "#243b53", width: 2, value: (u, v) => (v === null ? "–" : v.toFixed(0)) },
      { label: "median forecast", stroke: "#2680c2", width: 2, dash: [6, 4], value: (u, v) => round(v, 1) },
      { label: "p90", stroke: edge, width: 1, value: (u, v) => round(v, 1) },
      { label: "p10", stroke: edge, width: 1, value: (u, v) => round(v, 1) },
    ],
    bands: [{ series: [3, 4], fill: band }],
    axes: [{ splits: periodTicks, values: (u, ticks) => ticks.map(tickLabel) }, { label: "units", values: units }],
  };
  host.chart = new uPlot(opts, fanColumns(data), host);
  return host.chart;
}

// A small inline-SVG line of ``values`` (a trend's weekly totals), its last point marked.
function sparkline(values, label) {
  const ns = "http://www.w3.org/2000/svg";
  const w = 100, h = 26, pad = 3;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${label}, weekly: ${values.join(", ")}`);
  if (!values.length) return svg;
  const top = Math.max(...values), low = Math.min(0, ...values);
  const span = top - low || 1;
  const step = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
  const points = values.map((v, i) => [pad + i * step, h - pad - ((v - low) / span) * (h - 2 * pad)]);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "));
  svg.append(line);
  const [lx, ly] = points[points.length - 1];
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", lx.toFixed(1));
  dot.setAttribute("cy", ly.toFixed(1));
  dot.setAttribute("r", "2.5");
  svg.append(dot);
  return svg;
}

// A heat-map cell's style for a share in 0..1 (the darker, the more kept), readable text.
function heatStyle(share) {
  if (share === null || share === undefined) return "background:#f5f7fa;color:#9aa5b1";
  const a = Math.max(0.06, Math.min(1, share));
  return `background:rgba(38,128,194,${a.toFixed(3)});color:${a > 0.55 ? "#fff" : "#1f2933"}`;
}
