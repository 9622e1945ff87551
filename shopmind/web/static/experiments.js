// The console's Experiments page: the experiments (GET /experiments) and one experiment's
// report (GET /experiments/{name}/report): per-variant metrics with their intervals, the
// comparison with the control, the sample-ratio alarm, guardrails, and the daily curves of
// each variant's metric drawn by uPlot (vendored, see charts.js). Server text goes into the
// page as text nodes only.
"use strict";

const EXPERIMENT_COLOURS = ["#243b53", "#2680c2", "#c65d21", "#3f9142", "#8e44ad", "#b7950b"];

function fmtNum(v, digits) {
  return v === null || v === undefined ? "–" : Number(v).toFixed(digits);
}

function fmtP(v) {
  if (v === null || v === undefined) return "–";
  return v && v < 0.001 ? Number(v).toExponential(1) : Number(v).toFixed(3);
}

async function showExperiments(name) {
  status("experiments-status", "Loading…");
  const list = $("experiments");
  list.innerHTML = "";
  try {
    const found = await api("/experiments");
    if (!found.length) {
      status("experiments-status", "No experiments yet: start one with POST /experiments or shopmind experiments start FILE.");
      $("experiment-report").hidden = true;
      return;
    }
    list.append(el("tr", {}, ...["experiment", "kind", "status", "layer", "metric", "variants"].map((h) => el("th", { scope: "col" }, h))));
    for (const e of found) {
      const link = el("a", { href: `#experiments/${encodeURIComponent(e.name)}` }, e.name);
      list.append(el("tr", {}, el("td", {}, link), el("td", {}, e.kind), el("td", {}, e.status), el("td", {}, e.layer),
        el("td", {}, e.primary), el("td", {}, e.variants.map((v) => `${v.name} (${Math.round(v.share * 100)}%)`).join(", "))));
    }
    status("experiments-status", `${found.length} experiments`);
    await showExperimentReport(name || found[0].name);
  } catch (err) {
    status("experiments-status", err.message, true);
  }
}

async function showExperimentReport(name) {
  const host = $("experiment-report");
  host.hidden = false;
  status("experiment-status", "Loading the report…");
  const table = $("experiment-variants");
  table.innerHTML = "";
  $("experiment-comparisons").innerHTML = "";
  $("experiment-srm").textContent = "";
  try {
    const r = await api(`/experiments/${encodeURIComponent(name)}/report`);
    $("experiment-title").textContent = `${r.experiment.name}: ${r.metric}`;
    table.append(el("tr", {}, ...["variant", "visitors", r.metric, "95% interval", "CUPED", "clicks", "carts", "purchases", "p99 ms", "guardrails"].map((h) => el("th", { scope: "col" }, h))));
    for (const [variant, v] of Object.entries(r.variants)) {
      const m = v.metric, c = v.metric_cuped;
      const rails = Object.entries(v.guardrails || {}).map(([k, g]) => `${k} ${g.ok ? "ok" : "CROSSED"}`).join(", ") || "–";
      table.append(el("tr", { "data-variant": variant }, el("td", {}, variant), el("td", {}, String(v.visitors)),
        el("td", {}, fmtNum(m.mean, 4)), el("td", {}, `${fmtNum(m.low, 4)} – ${fmtNum(m.high, 4)}`), el("td", {}, fmtNum(c.mean, 4)),
        el("td", {}, String(v.clicks)), el("td", {}, String(v.carts)), el("td", {}, String(v.purchases)),
        el("td", {}, fmtNum(v.latency_p99_ms, 1)), el("td", {}, rails)));
    }
    const comparisons = $("experiment-comparisons");
    for (const [variant, c] of Object.entries(r.comparisons)) {
      const adj = c.cuped;
      const verdict = c.significant ? (adj.difference > 0 ? "better than the control" : "worse than the control") : "no verdict yet";
      comparisons.append(el("li", { "data-variant": variant },
        `${variant} vs ${r.control}: ${fmtNum(adj.difference, 4)} (${fmtNum(adj.low, 4)} – ${fmtNum(adj.high, 4)}), always-valid p ${fmtP(adj.always_valid_p)}: ${verdict}`));
    }
    const srm = r.sample_ratio;
    $("experiment-srm").textContent = srm.mismatch
      ? `Sample ratio mismatch (p ${fmtP(srm.p_value)}): the split is not what was asked for; do not trust this experiment.`
      : `Sample ratio as asked (p ${fmtP(srm.p_value)}); CUPED removed ${Math.round(100 * r.cuped_variance_reduction)}% of the variance; ${r.unattributed_events} events named an unknown request.`;
    $("experiment-srm").classList.toggle("error", srm.mismatch);
    if (r.interleaving) {
      const w = r.interleaving.winner;
      comparisons.append(el("li", {}, `interleaving over ${r.interleaving.impressions} lists: ${w ? `${w} wins` : "no winner yet"}`));
    }
    await experimentChart($("experiment-chart"), r);
    status("experiment-status", "");
  } catch (err) {
    status("experiment-status", err.message, true);
  }
}

// The daily curves: one line per variant (its metric over the visitors seen by that day) and
// a band for the control's 95% interval. Kept as host.chart (the tests read its data).
async function experimentChart(host, report) {
  const uPlot = await loadUplot();
  if (host.chart) host.chart.destroy();
  host.innerHTML = "";
  const names = Object.keys(report.curves.variants);
  const days = report.curves.days;
  const columns = [days];
  const series = [{ label: "day" }];
  names.forEach((n, i) => {
    columns.push(report.curves.variants[n].map((p) => p.mean));
    series.push({ label: n, stroke: EXPERIMENT_COLOURS[i % EXPERIMENT_COLOURS.length], width: 2, value: (u, v) => fmtNum(v, 4) });
  });
  const control = report.curves.variants[names[0]] || [];
  columns.push(control.map((p) => p.low), control.map((p) => p.high));
  series.push({ label: `${names[0]} low`, stroke: "rgba(36,59,83,0.35)", width: 1 }, { label: `${names[0]} high`, stroke: "rgba(36,59,83,0.35)", width: 1 });
  const last = names.map((n) => `${n} ${fmtNum((report.curves.variants[n].slice(-1)[0] || {}).mean, 4)}`).join(", ");
  host.setAttribute("role", "img");
  host.setAttribute("aria-label", `${report.metric} per day of ${report.experiment.name}; latest: ${last}`);
  const opts = {
    width: Math.max(320, Math.min(host.clientWidth || 720, 1100)),
    height: 260,
    scales: { x: { time: true } },
    series,
    bands: [{ series: [names.length + 2, names.length + 1], fill: "rgba(36,59,83,0.12)" }],
    axes: [{}, { label: report.metric }],
  };
  host.chart = new uPlot(opts, columns, host);
  return host.chart;
}
