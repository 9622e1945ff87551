// The shopmind console: a few views over the JSON API, every result with a "why?" that
// opens its reasons as a mind map (mindmap.js); the Shop page (shop.js, charts.js) and the
// visitor's profile card (profile.js). Plain browser JavaScript; the only library is uPlot,
// vendored into the package by install.sh and loaded by the Shop page alone.
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

// An API key, when the server asks for one (401), is asked for once and kept for this tab only
// (sessionStorage): it goes with every request as "Authorization: Bearer KEY".
const KEY_ITEM = "shopmind-key";

function askForKey(message) {
  const dialog = $("key-dialog");
  $("key-why").textContent = message || "";
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

function saveKey(event) {
  event.preventDefault();
  const key = $("key-input").value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_ITEM, key);
  $("key-dialog").close();
  location.reload();
}

async function api(path, options) {
  const init = Object.assign({}, options || {});
  const headers = new Headers(init.headers || {});
  const key = sessionStorage.getItem(KEY_ITEM);
  if (key) headers.set("Authorization", `Bearer ${key}`);
  init.headers = headers;
  const response = await fetch(path, init);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) {
    if (key) sessionStorage.removeItem(KEY_ITEM);
    askForKey(body && body.message);
  }
  if (!response.ok) {
    const detail = body && (body.message || body.detail);
    const text = typeof detail === "string" ? detail : (detail ? JSON.stringify(detail) : "");
    const message = text || `${response.status} ${response.statusText}`;
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
  showProfileCard(visitor);
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
        el("p", {}, p.description || "")),
      el("div", { class: "actions" }, el("a", { href: `#assistant/${encodeURIComponent(p.id)}` }, "Ask the assistant"))));
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

// ---- the shop assistant (POST /assistant) ---------------------------------------------------
// One conversation per page load (a fresh session id on "New conversation"). Everything the
// server writes goes into the page as text nodes, never as HTML.
function newSessionId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);  // crypto.randomUUID needs https; this works on plain http too
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const chat = { session: newSessionId(), busy: false };

function setChatBusy(busy) {
  chat.busy = busy;
  $("chat-send").disabled = busy;
  $("chat-log").setAttribute("aria-busy", String(busy));
}

function newConversation() {
  chat.session = newSessionId();  // a reply still on its way to the old one is dropped
  $("chat-session").textContent = chat.session;
  $("chat-log").innerHTML = "";
  closeChatDetail();
  setChatBusy(false);
  status("chat-status", "New conversation.");
  $("chat-input").focus();
}

function appendTurn(turn) {
  const log = $("chat-log");
  log.append(turn);
  log.scrollTop = log.scrollHeight;
}

function constraintText(constraints) {
  const parts = [];
  for (const [key, value] of Object.entries(constraints || {})) {
    if (value === true) parts.push(key.replace(/_/g, " "));
    else if (Array.isArray(value)) parts.push(`${key.replace(/_/g, " ")} ${value.join(", ")}`);
    else if (value !== null && typeof value !== "object") parts.push(`${key.replace(/_/g, " ")} ${value}`);
  }
  return parts.join(" · ");
}

function openReasons(heading, tree, note) {
  const dialog = $("why");
  $("why-title").textContent = heading;
  $("why-map").innerHTML = "";
  if (!dialog.open) dialog.showModal();
  if (!tree || !tree.label) { status("why-status", "The assistant gave no reasons for this.", true); return; }
  status("why-status", note || "");
  new MindMap($("why-map"), tree, heading, LANG);
  const first = $("why-map").querySelector(".mm-node");
  if (first) first.focus();
}

function chatProduct(item, rank) {
  const title = item.title || item.id;
  const meta = [price(item), item.brand, item.in_stock === false ? "out of stock" : null].filter(Boolean).join(" · ");
  const score = typeof item.score === "number" ? ` · score ${item.score.toFixed(3)}` : "";
  return el("li", {
    class: `chat-product${item.in_stock === false ? " out-of-stock" : ""}`,
    "data-id": item.id, "data-price": item.price ?? null, "data-currency": item.currency || null,
  }, el("button", {
    type: "button", title: "Why is it suggested?", "aria-label": `${title}, ${meta}: why is it suggested?`,
    onclick: () => openReasons(`Why did the assistant suggest “${title}”?`, item.reasons, `${item.id} · rank ${rank}${score}`),
  },
  el("img", { src: item.image_url || `/console/product/${encodeURIComponent(item.id)}.svg`, alt: "", loading: "lazy" }),
  el("span", { class: "title" }, title),
  el("span", { class: "meta" }, meta)));
}

function looksChinese(text) {
  return /[\u3400-\u9fff]/.test(text || "");
}

function passageWithMark(text, highlight) {
  const passage = el("p", { class: "chat-passage", lang: looksChinese(text) ? "zh" : null });
  const at = highlight ? text.indexOf(highlight) : -1;
  if (at >= 0) {
    passage.append(text.slice(0, at), el("mark", {}, highlight), text.slice(at + highlight.length));
    return [passage];
  }
  passage.append(text);
  if (!highlight) return [passage];
  // the answering sentence is not verbatim in the passage (spacing): show it on its own
  return [passage, el("p", {}, "Answering sentence: ", el("mark", {}, highlight))];
}

function closeChatDetail() {
  $("chat-citation-detail").hidden = true;
  $("chat-detail-body").innerHTML = "";
  for (const chip of document.querySelectorAll(".chat-citation[aria-pressed=true]")) chip.setAttribute("aria-pressed", "false");
}

function showCitation(cite, chip) {
  if (chip.getAttribute("aria-pressed") === "true") { closeChatDetail(); chip.focus(); return; }
  closeChatDetail();
  chip.setAttribute("aria-pressed", "true");
  const box = $("chat-citation-detail");
  const body = $("chat-detail-body");
  box.dataset.kind = cite.kind;
  box.dataset.id = cite.id;
  const text = cite.text || "";
  const productLink = (id) => el("a", { href: `#product/${encodeURIComponent(id)}` }, id);
  if (cite.kind === "doc") {
    $("chat-detail-title").textContent = cite.title || cite.id;
    body.append(el("p", { class: "chat-source" }, `Shop page passage ${cite.id}`), ...passageWithMark(text, cite.highlight));
  } else if (cite.kind === "qa") {
    $("chat-detail-title").textContent = `Answered before (${cite.id})`;
    body.append(el("dl", {},
      el("dt", {}, "Question"), el("dd", { class: "chat-qa-question", lang: looksChinese(cite.question) ? "zh" : null }, cite.question || "–"),
      el("dt", {}, "Answer"), el("dd", { class: "chat-qa-answer", lang: looksChinese(text) ? "zh" : null }, text),
      cite.product_id ? el("dt", {}, "About product") : null,
      cite.product_id ? el("dd", {}, productLink(cite.product_id)) : null));
  } else if (cite.kind === "product") {
    $("chat-detail-title").textContent = cite.title || cite.id;
    body.append(el("dl", {},
      el("dt", {}, "Product id"), el("dd", {}, productLink(cite.id)),
      el("dt", {}, "Title"), el("dd", {}, cite.title || "–"),
      text && text !== cite.title ? el("dt", {}, "Used") : null,
      text && text !== cite.title ? el("dd", { class: "chat-passage" }, text) : null));
  } else {
    $("chat-detail-title").textContent = `${cite.kind} ${cite.id}`;
    body.append(el("p", { class: "chat-passage" }, text));
  }
  box.hidden = false;
  box.focus();
}

function customerTurn(message, product) {
  return el("li", { class: "chat-turn chat-customer", lang: looksChinese(message) ? "zh" : null },
    el("span", { class: "visually-hidden" }, "You: "), message,
    product ? el("div", { class: "chat-meta" }, `on the page of ${product}`) : null);
}

function replyTurn(reply) {
  const language = reply.language === "zh" ? "zh" : "en";
  const confidence = Number(reply.confidence || 0).toFixed(2);
  const intent = reply.intent || "other";
  const turn = el("li", {
    class: "chat-turn chat-reply", "data-intent": intent, "data-confidence": confidence,
    "data-language": language, "data-handoff": String(Boolean(reply.handoff)),
  });
  turn.append(el("span", { class: "visually-hidden" }, "Assistant: "),
    el("div", { class: "chat-answer", lang: language }, reply.answer || ""));
  const kept = constraintText(reply.constraints);
  turn.append(el("div", { class: "chat-meta" },
    reply.handoff ? el("span", { class: "badge chat-handoff" }, "Hand-off to a person offered") : null,
    el("span", { class: "chat-intent" }, `${intent} · ${confidence}`),
    kept ? el("span", { class: "chat-constraints" }, `kept: ${kept}`) : null,
    reply.generated ? el("span", { class: "chat-generated" }, "rephrased") : null,
    el("button", {
      type: "button", class: "why secondary", "aria-label": "Why this answer?",
      onclick: () => openReasons("Why this answer?", reply.reasons, `${intent} · confidence ${confidence}`),
    }, "why?")));
  const citations = reply.citations || [];
  if (citations.length) {
    const chips = el("div", { class: "chat-citations", role: "group", "aria-label": "Sources of this answer" });
    for (const cite of citations) {
      chips.append(el("button", {
        type: "button", class: "chat-citation", "aria-pressed": "false",
        "data-kind": cite.kind, "data-id": cite.id, title: cite.title || cite.text || null,
        onclick: (event) => showCitation(cite, event.currentTarget),
      }, `[${cite.kind} ${cite.id}]`));
    }
    turn.append(chips);
  }
  const products = reply.products || [];
  if (products.length) {
    turn.append(el("ol", { class: "chat-products", "aria-label": "Suggested products" },
      ...products.map((item, i) => chatProduct(item, i + 1))));
  }
  return turn;
}

async function sendChat(event) {
  if (event) event.preventDefault();
  const input = $("chat-input");
  const message = input.value.trim();
  if (!message) {
    status("chat-status", "Write a message first.", true);
    input.focus();
    return;
  }
  if (chat.busy) return;
  const session = chat.session;
  const product = $("chat-product").value.trim() || null;
  const user = $("chat-user").value.trim() || null;
  const asked = customerTurn(message, product);
  appendTurn(asked);
  input.value = "";
  setChatBusy(true);
  status("chat-status", "The assistant is answering…");
  try {
    const reply = await api("/assistant", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ session, message, product, user }),
    });
    if (session !== chat.session) return;
    appendTurn(replyTurn(reply));
    status("chat-status", "");
  } catch (err) {
    if (session !== chat.session) return;
    asked.classList.add("chat-failed");
    if (!input.value) input.value = message;  // to send again after fixing what the message says
    status("chat-status", err.message, true);
  } finally {
    if (session === chat.session) { setChatBusy(false); input.focus(); }
  }
}

async function showAssistant(product) {
  if (product) $("chat-product").value = product;
  $("chat-session").textContent = chat.session;
  try {
    const known = await api("/assistant/knowledge");
    $("chat-knowledge").textContent = `knows ${known.documents} shop pages · ${known.passages} passages · ${known.answers} past answers`;
  } catch (err) {
    $("chat-knowledge").textContent = `knowledge unknown: ${err.message}`;
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
  else if (view === "shop") showShop(params);
  else if (view === "map") showMap(params.category || "");
  else if (view === "evaluations") showEvaluations();
  else if (view === "campaigns") showCampaigns();
  else if (view === "experiments") showExperiments(target);
  else if (view === "assistant") showAssistant(target);
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
  $("key-form").addEventListener("submit", saveKey);
  $("chat-session").textContent = chat.session;
  $("chat-form").addEventListener("submit", sendChat);
  $("chat-new").addEventListener("click", newConversation);
  $("chat-detail-close").addEventListener("click", closeChatDetail);
  window.addEventListener("hashchange", route);
  route();
});
