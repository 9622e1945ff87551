// The console's Shop page: the owner's picture from GET /insight/*: the funnel, the demand
// forecast fan chart and stock advice, trends with sparklines, cohort retention, search
// analytics and segments. Each section loads on its own; a route that answers an error
// shows its message in that section, the others still draw.
"use strict";

const pct = (share, digits = 1) => (share === null || share === undefined ? "–" : `${(100 * share).toFixed(digits)}%`);
const num = (value, digits = 0) => (value === null || value === undefined ? "–" : Number(value).toLocaleString("en", { maximumFractionDigits: digits }));
const STEPS = ["view", "click", "cart", "purchase"];

// a note of the server as a sentence of the status line
function sentence(text) {
  const s = String(text).trim();
  return s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}` : "";
}

function headRow(...names) {
  return el("tr", {}, ...names.map((h) => el("th", { scope: "col" }, h)));
}

function productLink(id, title) {
  return el("a", { href: `#product/${encodeURIComponent(id)}` }, title || id);
}

async function section(statusId, load) {
  status(statusId, "Loading…");
  try {
    const note = await load();
    status(statusId, note || "");
  } catch (err) {
    status(statusId, err.message, true);
  }
}

// ---- funnel --------------------------------------------------------------------------------
const shop = { funnels: null, names: {}, forecastKey: "total" };

function drawFunnel(data) {
  const host = $("funnel");
  host.innerHTML = "";
  const steps = data.steps || STEPS;
  const units = data.overall.units;
  const top = Math.max(...units, 1);
  steps.forEach((step, i) => {
    const rate = i > 0 ? data.overall.rates[i - 1] : null;
    host.append(el("div", {
      class: "funnel-step", "data-step": step, "data-units": units[i], role: "img",
      "aria-label": `${step}: ${units[i]}${rate === null ? "" : `, ${pct(rate)} of the step before`}`,
    },
    el("span", { class: "funnel-name" }, step),
    el("span", { class: "funnel-track" }, el("span", { class: "fill", style: `width:${(100 * units[i]) / top}%` })),
    el("span", { class: "funnel-units" }, num(units[i])),
    el("span", { class: "funnel-rate" }, rate === null ? "" : `→ ${pct(rate)}`)));
  });
  drawBreakdown();
  return `${num(units[units.length - 1])} of ${num(units[0])} ${data.unit || "pairs"} bought: ` +
    `${pct(data.overall.conversion)} conversion (${num(data.sessions ? data.sessions.units[0] : null)} sessions)`;
}

function drawBreakdown() {
  const table = $("funnel-breakdown");
  table.innerHTML = "";
  if (!shop.funnels) return;
  const by = $("funnel-by").value;
  const groups = Object.entries(shop.funnels[by] || {});
  table.setAttribute("aria-label", `Funnel ${by.replace("_", " ")}`);
  table.append(headRow(by.replace("by_", ""), ...STEPS, "click", "cart", "buy", "conversion"));
  for (const [name, f] of groups) {
    table.append(el("tr", { "data-group": name }, el("td", {}, name),
      ...f.units.map((u) => el("td", {}, num(u))),
      ...f.rates.map((r) => el("td", {}, pct(r, 0))),
      el("td", {}, pct(f.conversion))));
  }
}

async function showFunnel() {
  await section("funnel-status", async () => {
    shop.funnels = await api("/insight/funnels");
    return drawFunnel(shop.funnels);
  });
}

// ---- forecast and stock --------------------------------------------------------------------
function forecastQuery(key) {
  if (key.startsWith("product:")) return `?${new URLSearchParams({ product: key.slice(8) })}`;
  if (key.startsWith("category:")) return `?${new URLSearchParams({ category: key.slice(9) })}`;
  return "";
}

function fillSeries(series) {
  const select = $("forecast-series");
  const keys = series.map((x) => x.key).join("\n");
  if (select.dataset.keys === keys) return;
  select.innerHTML = "";
  select.append(el("option", { value: "total" }, "the whole shop"));
  const groups = { category: el("optgroup", { label: "Categories" }), product: el("optgroup", { label: "Products" }) };
  for (const s of series) {
    shop.names[s.key] = s.name;
    const kind = s.key.split(":")[0];
    if (groups[kind]) groups[kind].append(el("option", { value: s.key }, kind === "product" ? `${s.name} (${s.key.slice(8)})` : s.name));
  }
  for (const g of Object.values(groups)) if (g.children.length) select.append(g);
  select.dataset.keys = keys;
}

async function showForecast(key) {
  shop.forecastKey = key || "total";
  await section("forecast-status", async () => {
    const data = await api(`/insight/forecast${forecastQuery(shop.forecastKey)}`);
    fillSeries(data.series || []);
    $("forecast-series").value = shop.forecastKey;
    await fanChart($("forecast-chart"), data);
    const f = data.forecast;
    const last = f.p50.length - 1;
    return `${data.name}: ${f.p50.length} ${data.freq === "D" ? "days" : "weeks"} ahead, ` +
      `${num(f.p50[last], 1)} units in the last (80%: ${num(f.p10[last], 1)}–${num(f.p90[last], 1)}); ` +
      `made ${(data.made_at || "").slice(0, 10)}`;
  });
  if ($("forecast-status").classList.contains("error")) {
    const host = $("forecast-chart");
    if (host.chart) { host.chart.destroy(); host.chart = null; }
    host.innerHTML = "";
  }
}

function pickForecast(key) {
  history.replaceState(null, "", `#shop?${new URLSearchParams({ series: key })}`);
  showForecast(key);
  $("forecast-series").focus();
}

async function showStock() {
  const table = $("stock");
  table.innerHTML = "";
  await section("stock-status", async () => {
    const data = await api("/insight/stock?limit=20");
    const rows = data.stock || [];
    if (!rows.length) {
      return "No stock advice in this forecast: it needs a horizon of at least lead time + review " +
        "periods (shopmind analyze forecast --horizon N --lead-time L --review R).";
    }
    table.append(headRow("product", "on hand", "reorder point", "order", "stock-out risk", "action", ""));
    for (const a of rows) {
      const title = shop.names[`product:${a.product}`];
      table.append(el("tr", { "data-product": a.product, class: (a.stockout_risk || 0) >= 0.5 ? "risk" : null },
        el("td", {}, productLink(a.product, title ? `${title} (${a.product})` : a.product)),
        el("td", {}, num(a.on_hand)), el("td", {}, num(a.reorder_point, 1)), el("td", {}, num(a.order_quantity, 1)),
        el("td", {}, pct(a.stockout_risk, 0)), el("td", {}, a.action),
        el("td", {}, el("button", {
          type: "button", class: "secondary", "aria-label": `Forecast of ${title || a.product}`,
          onclick: () => pickForecast(`product:${a.product}`),
        }, "forecast"))));
    }
    const alerts = rows.filter((a) => (a.stockout_risk || 0) >= 0.5).length;
    return `${rows.length} products, the riskiest first; ${alerts} likely to run out before a new order arrives`;
  });
}

// ---- trends --------------------------------------------------------------------------------
// a change in percent against the baseline, signed, one decimal; null: the baseline had none
function change(value) {
  if (value === null || value === undefined) return "new";
  const text = Number(value).toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${value > 0 ? "+" : ""}${text}%`;
}

// a p or q value: two significant digits, tiny ones as 6.3e-8
function sig(value) {
  if (value === null || value === undefined) return "–";
  return value !== 0 && Math.abs(value) < 0.001 ? Number(value).toExponential(1) : String(Number(Number(value).toPrecision(2)));
}

function trendRows(kind, trends) {
  return trends.map((t) => el("tr", { class: "trend", "data-kind": kind, "data-id": t.id, "data-p": t.p, "data-q": t.q },
    el("td", {}, kind === "products" ? productLink(t.id, t.label) : t.label),
    el("td", { class: "spark-cell" }, sparkline(t.weekly || [], t.label)),
    el("td", {}, change(t.change_pct)),
    el("td", {}, `${num(t.recent, 1)} / ${num(t.expected, 1)}`),
    el("td", {}, sig(t.p)), el("td", {}, sig(t.q))));
}

function trendTable(direction, lists) {
  const table = el("table", { class: "trends", "data-direction": direction, "aria-label": `${direction} products, categories and queries` },
    headRow(direction, "weekly", "change", "recent / expected", "p", "q"));
  let rows = 0;
  for (const kind of ["products", "categories", "queries"]) {
    const trends = lists[kind] || [];
    if (!trends.length) continue;
    table.append(el("tr", {}, el("th", { colspan: "6", scope: "colgroup", class: "group" }, kind)), ...trendRows(kind, trends));
    rows += trends.length;
  }
  if (!rows) table.append(el("tr", {}, el("td", { colspan: "6", class: "empty" }, `nothing ${direction} significantly`)));
  return table;
}

function seasonText(season) {
  const weekly = (season || {}).weekly;
  if (!weekly || !weekly.checked) return "";
  if (!weekly.detected) return `No weekly cycle (strength ${num(weekly.strength, 2)}, p ${num(weekly.p, 3)}).`;
  return `Weekly cycle (strength ${num(weekly.strength, 2)}): peaks ${(weekly.peaks || []).join(", ")}, lows ${(weekly.lows || []).join(", ")}.`;
}

async function showTrends() {
  const host = $("trends");
  host.innerHTML = "";
  await section("trends-status", async () => {
    const [days, baseline] = $("trends-window").value.split("/");
    const params = new URLSearchParams({ window: days, baseline, on: $("trends-on").value, top: "10" });
    const data = await api(`/insight/trends?${params}`);
    host.append(trendTable("rising", data.rising || {}), trendTable("declining", data.declining || {}));
    const tested = Object.entries(data.tested || {}).map(([k, v]) => `${v} ${k}`).join(", ");
    return [`As of ${data.as_of}: the last ${data.window_days} days against the ${data.baseline_days} before ` +
      `(q ≤ ${data.alpha}; tested ${tested}).`, seasonText(data.seasonality), ...(data.notes || []).map(sentence)].filter(Boolean).join(" ");
  });
}

// ---- cohorts -------------------------------------------------------------------------------
async function showCohorts() {
  const table = $("cohorts");
  table.innerHTML = "";
  await section("cohorts-status", async () => {
    const data = await api(`/insight/cohorts?${new URLSearchParams({ period: $("cohorts-period").value })}`);
    if (!data.cohorts.length) return "No customers with a purchase yet.";
    const offsets = data.offsets || [];
    const top = Math.max(0.0001, ...data.cohorts.flatMap((c) => c.retention.filter((r) => r !== null)));
    table.append(headRow("cohort", "customers", ...offsets.map((k) => `+${k}`)));
    const row = (label, size, shares, cls) => el("tr", { class: cls },
      el("th", { scope: "row" }, label), el("td", {}, num(size)),
      ...offsets.map((_, i) => {
        const share = shares[i] ?? null;
        return el("td", { class: "heat", style: heatStyle(share === null ? null : share / top), title: share === null ? "not seen yet" : pct(share) }, share === null ? "" : pct(share, 0));
      }));
    for (const c of data.cohorts) table.append(row(c.cohort, c.size, c.retention, "cohort"));
    if (offsets.length) table.append(row("average", data.customers, data.average, "average"));
    const partial = data.last_period_partial ? " The last period is not over yet." : "";
    return `${num(data.customers)} customers by the ${data.period} of their first purchase; a cell is the share buying again that many ${data.period}s later ` +
      `(${num(data.anonymous_buyers_left_out)} anonymous buyers left out).${partial}`;
  });
}

// ---- searches ------------------------------------------------------------------------------
function queryTable(label, rows, columns) {
  const table = el("table", { class: "queries", "aria-label": label }, headRow(...columns.map(([name]) => name)));
  for (const r of rows) table.append(el("tr", {}, ...columns.map(([, get]) => el("td", {}, get(r)))));
  if (!rows.length) table.append(el("tr", {}, el("td", { colspan: String(columns.length), class: "empty" }, "none")));
  return el("div", {}, el("h4", {}, label), table);
}

async function showSearches() {
  const host = $("searches");
  host.innerHTML = "";
  await section("searches-status", async () => {
    const data = await api("/insight/searches?top=10");
    const query = ["query", (r) => r.query];
    const searches = ["searches", (r) => num(r.searches)];
    const fix = ["what to fix", (r) => (r.fix ? r.fix.text : "")];
    host.append(
      queryTable("Top queries", data.top || [], [query, searches, ["visitors", (r) => num(r.visitors)],
        ["click rate", (r) => pct(r.click_rate, 0)], ["cart rate", (r) => pct(r.cart_rate, 0)], ["results", (r) => num(r.results)]]),
      queryTable("Zero results", data.zero_results || [], [query, searches, fix]),
      queryTable("Many results, no clicks", data.no_clicks || [], [query, searches, ["results", (r) => num(r.results)], fix]),
      queryTable("Rising queries", data.rising || [], [["query", (r) => r.label], ["change", (r) => change(r.change_pct)], ["q", (r) => sig(r.q)]]));
    return [`${num(data.searches)} searches of ${num(data.queries)} queries.`, ...(data.notes || []).map(sentence)].join(" ");
  });
}

// ---- segments ------------------------------------------------------------------------------
async function showSegments() {
  const table = $("segments");
  table.innerHTML = "";
  await section("segments-status", async () => {
    const data = await api("/insight/segments");
    table.append(headRow("segment", "visitors", "share", "revenue share", "top products"));
    for (const s of data.segments || []) {
      const top = (s.top_products || []).slice(0, 3);
      const products = el("span", {});
      top.forEach((p, i) => products.append(i ? ", " : "", productLink(p.id, p.title)));
      table.append(el("tr", { "data-segment": s.segment }, el("td", {}, s.name), el("td", {}, num(s.visitors)),
        el("td", {}, pct(s.share)), el("td", {}, pct(s.revenue_share)), el("td", { class: "left" }, products)));
    }
    return `${(data.segments || []).length} segments of ${num(data.visitors)} visitors (${data.population || "visitors"}).`;
  });
}

// ---- the page ------------------------------------------------------------------------------
function showShop(params) {
  showFunnel();
  showForecast(params.series || "total").then(showStock);
  showTrends();
  showCohorts();
  showSearches();
  showSegments();
}

document.addEventListener("DOMContentLoaded", () => {
  $("funnel-by").addEventListener("change", drawBreakdown);
  $("forecast-series").addEventListener("change", (e) => pickForecast(e.target.value));
  $("trends-form").addEventListener("change", showTrends);
  $("trends-form").addEventListener("submit", (e) => { e.preventDefault(); showTrends(); });
  $("cohorts-period").addEventListener("change", showCohorts);
});
