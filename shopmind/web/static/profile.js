// The visitor view's profile card, from GET /visitors/{id}/profile: lifecycle stage, the
// probability of buying again, segment, RFM values and scores, interest clusters and the
// recent sessions. Every field is optional: what the answer lacks is left out, and an error
// (no profile yet, an older server without the route) is a message in the card.
"use strict";

const STAGE_HELP = {
  new: "first seen recently",
  active: "bought within the shop's usual gap",
  "at risk": "past the usual gap between orders",
  lapsed: "well past the usual gap: likely gone",
};

function fact(term, value, attrs) {
  if (value === null || value === undefined || value === "") return [];
  return [el("dt", {}, term), el("dd", attrs || {}, value)];
}

function fixed(value, digits) {
  return value === null || value === undefined ? null : Number(value).toFixed(digits);
}

function profileFacts(p) {
  const rfm = p.rfm || {};
  const score = rfm.score || null;
  const life = p.lifecycle || {};
  const again = p.buy_again || {};
  const limits = life.thresholds || {};
  const stageNote = limits.active_days !== undefined
    ? `active up to ${fixed(limits.active_days, 0)} days, lapsed after ${fixed(limits.lapsed_days, 0)}` : null;
  const probability = again.probability === null || again.probability === undefined
    ? (again.days ? "no model yet" : null)
    : `${(100 * again.probability).toFixed(1)}%`;
  return el("dl", { class: "facts" },
    ...fact("Lifecycle", life.stage ? el("span", { class: `stage stage-${life.stage.replace(/\s+/g, "-")}`, title: stageNote || STAGE_HELP[life.stage] || "" }, life.stage) : null, { class: "profile-stage" }),
    ...fact(`Buys again within ${again.days || "N"} days`, probability, { class: "profile-buy-again" }),
    ...fact("Segment", p.segment && p.segment.name ? p.segment.name : null, { class: "profile-segment" }),
    ...fact("Last order", rfm.recency_days === null || rfm.recency_days === undefined ? null : `${fixed(rfm.recency_days, 1)} days ago`),
    ...fact("Orders", rfm.frequency),
    ...fact("Spent (net)", fixed(rfm.monetary, 2)),
    ...fact("Average order", fixed(rfm.avg_order, 2)),
    ...fact("Mean gap", rfm.mean_gap_days === null || rfm.mean_gap_days === undefined ? null : `${fixed(rfm.mean_gap_days, 1)} days`),
    ...fact("Returns", rfm.returns),
    ...fact("RFM score", score ? `R${score.r} F${score.f} M${score.m} = ${score.rfm}` : null, { class: "profile-rfm-score" }),
    ...fact("Seen", p.first_seen ? `${p.first_seen.slice(0, 10)} → ${(p.last_seen || "").slice(0, 10)} · ${p.events ?? "?"} events` : null));
}

function sessionList(sessions) {
  const list = el("ol", { class: "sessions", "aria-label": "Recent sessions" });
  for (const s of sessions) {
    const when = `${(s.start || "").replace("T", " ").slice(0, 16)} – ${(s.end || "").slice(11, 16)}`;
    const products = el("span", {});
    (s.products || []).slice(0, 6).forEach((id, i) => products.append(i ? ", " : "", el("a", { href: `#product/${encodeURIComponent(id)}` }, id)));
    list.append(el("li", { class: s.purchased ? "bought" : null },
      `${when} · ${s.events} event${s.events === 1 ? "" : "s"}${s.purchased ? " · bought" : ""} · `, products));
  }
  return list;
}

async function showProfileCard(visitor) {
  const host = $("visitor-card");
  host.innerHTML = "";
  status("visitor-card-status", "Loading the profile…");
  try {
    const p = await api(`/visitors/${encodeURIComponent(visitor)}/profile`);
    host.append(el("div", {}, el("h3", {}, "Profile"), profileFacts(p)));
    const clusters = (p.interests || {}).clusters || [];
    if (clusters.length) {
      host.append(bars("Interest clusters", Object.fromEntries(clusters.map((c) => [c.name, c.share]))));
    }
    const sessions = p.sessions || [];
    if (sessions.length) host.append(el("div", {}, el("h3", {}, "Recent sessions"), sessionList(sessions)));
    status("visitor-card-status", p.as_of ? `as of ${p.as_of.replace("T", " ").slice(0, 16)}${p.in_build === false ? " (not in the latest profile build: from the events alone)" : ""}` : "");
  } catch (err) {
    status("visitor-card-status", `No profile: ${err.message}`, true);
  }
}
