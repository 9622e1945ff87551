// The shopmind console: a few views over the JSON API, every result with a "why?" that
// opens its reasons as a mind map (mindmap.js). Plain browser JavaScript, no dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
let LANG = localStorage.getItem("shopmind-lang") || "en";  // the mind maps' label language

function setLang(lang) {
  LANG = lang;
  localStorage.setItem("shopmind-lang", lang);
  const button = $("lang");
  button.textContent = lang === "zh" ? "EN" : "中文";
  button.setAttribute("aria-label", lang === "zh" ? "Show reasons in English" : "Show reasons in Chinese (中文)");
  document.documentElement.lang = lang === "zh" ? "zh" : "en";
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const message = body && body.message ? body.message : `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return body;
}

function status(id, text, isError) {
  const el = $(id);
  el.textContent = text || "";
  el.classList.toggle("error", Boolean(isError));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function price(item) {
  if (item.price === null || item.price === undefined) return "";
  return `${item.currency || ""} ${Number(item.price).toFixed(2)}`.trim();
}

// ---- the "why?" dialog ---------------------------------------------------------------------
async function openWhy(title, explainParams) {
  const dialog = $("why");
  $("why-title").textContent = `Why is “${title}” shown?`;
  $("why-map").innerHTML = "";
  status("why-status", "Loading the reasons…");
  if (!dialog.open) dialog.showModal();
  try {
    const data = await api(`/explain?${new URLSearchParams(explainParams)}`);
    status("why-status", `rank ${data.rank ?? "?"} · ${data.kind}`);
    new MindMap($("why-map"), data.tree, title, LANG);
    const first = $("why-map").querySelector(".mm-node");
    if (first) first.focus();
  } catch (err) {
    status("why-status", err.message, true);
  }
}

function resultItem(item, explainParams, extra) {
  const title = item.title || item.id;
  const why = el("button", {
    type: "button", class: "why secondary",
    "aria-label": `Why is ${title} shown?`,
    onclick: () => openWhy(title, explainParams),
  }, "why?");
  const meta = [price(item), item.brand, item.category].filter(Boolean).join(" · ");
  const image = el("img", { src: item.image_url || `/console/product/${encodeURIComponent(item.id)}.svg`, alt: "" });
  return el("li", { class: `result${item.sponsored ? " sponsored" : ""}`, "data-id": item.id },
    image,
    el("div", {},
      el("div", { class: "title" }, item.sponsored ? el("span", { class: "badge" }, "Sponsored") : null,
        el("a", { href: `#product/${encodeURIComponent(item.id)}` }, title)),
      el("div", { class: "meta" }, meta)),
    el("div", { class: "actions" }, why, ...(extra || [])));
}

function explainFor(kind, item, params) {
  if (item.sponsored && item.ad) return { kind: "ad", id: item.ad };
  return { kind, id: item.id, ...params };
}

// ---- search --------------------------------------------------------------------------------
function searchParams() {
  const params = { q: $("q").value.trim(), k: "10" };
  for (const name of ["category", "brand", "price_min", "price_max", "sort"]) {
    const value = $(name).value.trim();
    if (value) params[name] = value;
  }
  const user = $("search-user").value.trim();
  if (user) params.user = user;
  if ($("in_stock").checked) params.in_stock = "true";
  return params;
}

async function runSearch(event) {
  if (event) event.preventDefault();
  const params = searchParams();
  if (!params.q) { status("search-status", "Type what a shopper would search for.", true); return; }
  location.hash = `search?${new URLSearchParams(params)}`;
}

async function showSearch(params) {
  for (const [key, value] of Object.entries(params)) {
    if (key === "in_stock") $("in_stock").checked = value === "true";
    else if (key === "user") $("search-user").value = value;
    else if ($(key)) $(key).value = value;
  }
  if (!params.q) return;
  status("search-status", "Searching…");
  try {
    const data = await api(`/search?${new URLSearchParams(params)}`);
    const list = $("results");
    list.innerHTML = "";
    const { k, ...listParams } = params;
    for (const hit of data.hits) list.append(resultItem(hit, explainFor("search", hit, listParams)));
    const suggestion = data.did_you_mean ? ` Did you mean “${data.did_you_mean}”?` : "";
    status("search-status", `${data.total} products match.${suggestion}`);
    showFacets(data.facets || {}, params);
  } catch (err) {
    status("search-status", err.message, true);
  }
}

function showFacets(facets, params) {
  const host = $("facets");
  host.innerHTML = "";
  for (const name of ["category", "brand"]) {
    const values = Object.entries(facets[name] || {}).slice(0, 8);
    if (!values.length) continue;
    const box = el("div", { class: "facet" }, el("h3", {}, name));
    for (const [value, count] of values) {
      box.append(el("button", {
        type: "button", "aria-label": `Filter by ${name} ${value} (${count})`,
        onclick: () => { location.hash = `search?${new URLSearchParams({ ...params, [name]: value })}`; },
      }, `${value} (${count})`));
    }
    host.append(box);
  }
}

// ---- visitors ------------------------------------------------------------------------------
function bars(title, shares) {
  const box = el("div", { class: "bars" }, el("h3", {}, title));
  for (const [name, share] of Object.entries(shares || {}).slice(0, 8)) {
    const pct = Math.round(100 * share);
    box.append(el("div", { class: "bar", role: "img", "aria-label": `${name}: ${pct}%` },
      el("span", {}, name), el("span", {}, el("span", { class: "fill", style: `width:${pct}%` })), el("span", {}, `${pct}%`)));
  }
  return box;
}

async function loadVisitorList() {
  try {
    const visitors = await api("/visitors?limit=50");
    const list = $("visitor-list");
    list.innerHTML = "";
    for (const v of visitors.visitors) list.append(el("option", { value: v.id }));
  } catch (err) { /* the picker still takes a typed id */ }
}

async function feedback(visitor, item, type) {
  const key = visitor.startsWith("~") ? { session_id: visitor.slice(1) } : { user_id: visitor };
  await api("/events", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...key, item_id: item, type }),
  });
  status("visitor-status", `Sent “${type.replace(/_/g, " ")}” for ${item}; the list below is fresh.`);
  await showRecommendations(visitor);
}

async function showRecommendations(visitor) {
  const key = visitor.startsWith("~") ? { session: visitor.slice(1) } : { user: visitor };
  const data = await api(`/recommend?${new URLSearchParams({ ...key, k: "8" })}`);
  const list = $("recs");
  list.innerHTML = "";
  for (const item of data.items) {
    const extra = item.sponsored ? [] : [
      el("button", { type: "button", class: "secondary", "aria-label": `Not interested in ${item.title}`, onclick: () => feedback(visitor, item.id, "not_interested") }, "Not interested"),
      el("button", { type: "button", class: "secondary", "aria-label": `More like ${item.title}`, onclick: () => feedback(visitor, item.id, "more_like_this") }, "More like this"),
    ];
    list.append(resultItem(item, explainFor("recommend", item, key), extra));
  }
}

async function showVisitor(visitor) {
  if (!visitor) return;
  $("visitor-id").value = visitor;
  status("visitor-status", "Loading…");
  $("profile").innerHTML = "";
  $("recs").innerHTML = "";
  $("timeline").innerHTML = "";
  try {
    const profile = await api(`/visitors/${encodeURIComponent(visitor)}`);
    const host = $("profile");
    const bands = profile.price ? profile.price.bands : {};
    const total = Object.values(bands).reduce((a, b) => a + b, 0) || 1;
    const bandShares = Object.fromEntries(Object.entries(bands).map(([k, v]) => [k, v / total]));
    host.append(bars("Departments", profile.categories.top), bars("Categories", profile.categories.leaf),
      bars("Brands", profile.brands), bars("Price band", bandShares));
    for (const e of profile.timeline) {
      const what = e.item ? (e.item.title || e.item.id) : (e.query ? `“${e.query}”` : "");
      $("timeline").append(el("li", {}, `${(e.ts || "").replace("T", " ").slice(0, 19)} · ${e.type} · ${what}`));
    }
    await showRecommendations(visitor);
    status("visitor-status", "");
  } catch (err) {
    status("visitor-status", err.message, true);
  }
}

// ---- products ------------------------------------------------------------------------------
async function showProduct(id) {
  if (!id) return;
  $("product-id").value = id;
  status("product-status", "Loading…");
  for (const host of ["product-card", "similar", "together"]) $(host).innerHTML = "";
  try {
    const p = await api(`/products/${encodeURIComponent(id)}`);
    $("product-card").append(el("div", { class: "result" },
      el("img", { src: p.image_url || `/console/product/${encodeURIComponent(p.id)}.svg`, alt: "" }),
      el("div", {}, el("div", { class: "title" }, p.title), el("div", { class: "meta" }, [price(p), p.brand, p.category].filter(Boolean).join(" · ")),
        el("p", {}, p.description || "")), el("div")));
    const similar = await api(`/similar?${new URLSearchParams({ item: id, k: "6" })}`);
    for (const item of similar.items) $("similar").append(resultItem(item, { kind: "similar", item: id, id: item.id }));
    const together = await api(`/bought-together?${new URLSearchParams({ item: id, k: "6" })}`);
    for (const item of together.items) $("together").append(resultItem(item, { kind: "bought-together", item: id, id: item.id }));
    status("product-status", "");
  } catch (err) {
    status("product-status", err.message, true);
  }
}

// ---- shop map, evaluations, campaigns ------------------------------------------------------
async function showMap(category) {
  status("map-status", "Drawing…");
  try {
    const params = category ? { category } : {};
    const tree = await api(`/shopmap?${new URLSearchParams(params)}`);
    new MindMap($("shopmap"), tree.tree || tree, "shop map", LANG);
    status("map-status", "");
  } catch (err) {
    status("map-status", err.message, true);
  }
}

function chart(run) {
  const methods = Object.entries(run.methods || {}).filter(([, m]) => typeof m === "object");
  if (!methods.length) return el("p", {}, "no methods in this run");
  const metrics = Object.keys(methods[0][1]).filter((k) => typeof methods[0][1][k] === "number").slice(0, 4);
  const width = 160 * metrics.length + 40, height = 200, barW = Math.max(8, 120 / methods.length);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height + 60);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${run.kind}: ${metrics.join(", ")} per method`);
  const colours = ["#2680c2", "#9aa5b1", "#f0b429", "#57ae5b", "#b44d12", "#7b61ff"];
  metrics.forEach((metric, mi) => {
    const top = Math.max(...methods.map(([, m]) => Math.abs(m[metric] || 0)), 1e-9);
    methods.forEach(([name, m], i) => {
      const v = m[metric] || 0;
      const h = (height - 20) * Math.abs(v) / top;
      const x = 20 + mi * 160 + i * (barW + 4);
      const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      rect.setAttribute("x", x); rect.setAttribute("y", height - h); rect.setAttribute("width", barW); rect.setAttribute("height", h);
      rect.setAttribute("fill", colours[i % colours.length]);
      const tip = document.createElementNS("http://www.w3.org/2000/svg", "title");
      tip.textContent = `${name} ${metric} ${v}`;
      rect.append(tip);
      svg.append(rect);
    });
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("x", 20 + mi * 160); label.setAttribute("y", height + 16);
    label.textContent = metric;
    svg.append(label);
  });
  methods.forEach(([name], i) => {
    const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
    t.setAttribute("x", 20 + i * 110); t.setAttribute("y", height + 40);
    t.setAttribute("fill", colours[i % colours.length]);
    t.textContent = `■ ${name}`;
    svg.append(t);
  });
  return svg;
}

async function showEvaluations() {
  status("evaluations-status", "Loading…");
  const host = $("evaluations");
  host.innerHTML = "";
  try {
    const data = await api("/evaluations?limit=20");
    const runs = data.evaluations;
    if (!runs.length) { status("evaluations-status", "No evaluation runs yet: run shopmind evaluate search|recommend|ctr with this home."); return; }
    for (const run of runs) {
      host.append(el("h3", {}, `${run.kind} · ${run.dataset || ""} · ${run.finished_at || ""}`), chart(run));
    }
    status("evaluations-status", `${runs.length} runs`);
  } catch (err) {
    status("evaluations-status", err.message, true);
  }
}

async function showCampaigns() {
  status("campaigns-status", "Loading…");
  const table = $("campaigns");
  table.innerHTML = "";
  try {
    const data = await api("/campaigns");
    const campaigns = data.campaigns || data.items || data;
    table.append(el("tr", {}, ...["campaign", "status", "bid", "daily budget", "impressions", "clicks", "CTR", "spend", "conversions", "ROAS"].map((h) => el("th", { scope: "col" }, h))));
    for (const c of campaigns) {
      const r = await api(`/campaigns/${c.id}/report`);
      const fmt = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
      table.append(el("tr", {}, el("td", {}, c.name), el("td", {}, c.status), el("td", {}, fmt(c.bid, 2)), el("td", {}, fmt(c.daily_budget, 2)),
        el("td", {}, r.impressions), el("td", {}, r.clicks), el("td", {}, fmt(r.ctr, 3)), el("td", {}, fmt(r.spend, 2)), el("td", {}, r.conversions), el("td", {}, fmt(r.roas, 2))));
    }
    status("campaigns-status", `${campaigns.length} campaigns`);
  } catch (err) {
    status("campaigns-status", err.message, true);
  }
}

// ---- routing -------------------------------------------------------------------------------
function route() {
  const [head, query] = location.hash.slice(1).split("?");
  const [view, arg] = (head || "search").split("/");
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const params = Object.fromEntries(new URLSearchParams(query || ""));
  let target = arg || "";
  try { target = decodeURIComponent(target); } catch (e) { /* a bare % typed by hand: as is */ }
  if (view === "search") showSearch(params);
  else if (view === "visitor") { loadVisitorList(); showVisitor(target); }
  else if (view === "product") showProduct(target);
  else if (view === "map") showMap(params.category || "");
  else if (view === "evaluations") showEvaluations();
  else if (view === "campaigns") showCampaigns();
}

document.addEventListener("DOMContentLoaded", () => {
  setLang(LANG);
  $("lang").addEventListener("click", () => setLang(LANG === "zh" ? "en" : "zh"));
  $("search-form").addEventListener("submit", runSearch);
  $("visitor-form").addEventListener("submit", (e) => { e.preventDefault(); location.hash = `visitor/${encodeURIComponent($("visitor-id").value.trim())}`; });
  $("product-form").addEventListener("submit", (e) => { e.preventDefault(); location.hash = `product/${encodeURIComponent($("product-id").value.trim())}`; });
  $("map-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const category = $("map-category").value.trim();
    location.hash = category ? `map?${new URLSearchParams({ category })}` : "map";
  });
  $("why-close").addEventListener("click", () => $("why").close());
  window.addEventListener("hashchange", route);
  route();
});
