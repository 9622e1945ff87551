// The mind map of a reasons tree ({label, value, children}), drawn as SVG by this file alone:
// a left-to-right tree, every node collapsible (click, Enter or Space), zoom and pan (wheel,
// drag, the + / - buttons), export as SVG, PNG or JSON. No third-party code, works offline.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const ROW = 30;        // vertical space per visible leaf
const GAP = 44;        // horizontal gap between a node and its children
const PAD = 10;        // text padding inside a node

function textWidth(text) {
  // CJK characters take about twice the width of Latin ones at 13px
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/.test(ch) ? 13 : 7.2;
  return Math.ceil(w);
}

function formatValue(v) {
  if (v === null || v === undefined) return "";
  const a = Math.abs(v);
  if (Number.isInteger(v)) return String(v);
  return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3) : v.toFixed(4);
}

function nodeText(node, lang) {
  const value = formatValue(node.value);
  const label = window.translateLabel ? window.translateLabel(node.label, lang || "en") : node.label;
  return value === "" ? label : `${label}: ${value}`;
}

class MindMap {
  /** Draw `tree` into `host` (an element); `title` names the map for screen readers;
   *  `lang` ("en" or "zh") is the language of the labels. */
  constructor(host, tree, title, lang) {
    this.host = host;
    this.tree = tree;
    this.lang = lang || "en";
    this.title = title || tree.label;
    this.scale = 1;
    this.dx = 0;
    this.dy = 0;
    this.collapsed = new Set();
    this.build();
    this.render();
  }

  build() {
    this.host.innerHTML = "";
    const bar = document.createElement("div");
    bar.className = "mm-toolbar";
    const buttons = [
      ["+", "Zoom in", () => this.zoom(1.25)],
      ["−", "Zoom out", () => this.zoom(0.8)],
      ["Fit", "Reset zoom and position", () => { this.scale = 1; this.dx = 0; this.dy = 0; this.apply(); }],
      ["Expand all", "Expand every branch", () => { this.collapsed.clear(); this.render(); }],
      ["SVG", "Export the mind map as SVG", () => this.exportSvg()],
      ["PNG", "Export the mind map as PNG", () => this.exportPng()],
      ["JSON", "Export the reasons tree as JSON", () => this.exportJson()],
    ];
    for (const [text, label, action] of buttons) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.className = "mm-button";
      b.addEventListener("click", action);
      bar.appendChild(b);
    }
    this.host.appendChild(bar);
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "mindmap");
    this.svg.setAttribute("role", "tree");
    this.svg.setAttribute("aria-label", `Mind map: ${this.title}`);
    this.svg.setAttribute("xmlns", SVG_NS);
    this.view = document.createElementNS(SVG_NS, "g");
    this.svg.appendChild(this.view);
    this.host.appendChild(this.svg);
    this.svg.addEventListener("wheel", (e) => { e.preventDefault(); this.zoom(e.deltaY < 0 ? 1.1 : 0.9); }, { passive: false });
    // dragging listens on the window only while a drag lasts (an old map leaves nothing behind)
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.target.closest(".mm-node")) return;
      const from = { x: e.clientX - this.dx, y: e.clientY - this.dy };
      const move = (m) => { this.dx = m.clientX - from.x; this.dy = m.clientY - from.y; this.apply(); };
      const up = () => { window.removeEventListener("pointermove", move); window.removeEventListener("pointerup", up); };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
    });
  }

  zoom(factor) {
    this.scale = Math.min(4, Math.max(0.25, this.scale * factor));
    this.apply();
  }

  apply() {
    this.view.setAttribute("transform", `translate(${this.dx + 12},${this.dy + 12}) scale(${this.scale})`);
  }

  layout(node, depth, path, rows) {
    // returns {node, x, y, w, h, kids}; y is the centre, in units of ROW
    const w = textWidth(nodeText(node, this.lang)) + 2 * PAD;
    const open = !this.collapsed.has(path);
    const kids = [];
    if (open) {
      (node.children || []).forEach((child, i) => kids.push(this.layout(child, depth + 1, `${path}/${i}`, rows)));
    }
    let y;
    if (kids.length) {
      y = (kids[0].y + kids[kids.length - 1].y) / 2;
    } else {
      y = rows.next++;
    }
    return { node, path, depth, y, w, kids, hasKids: (node.children || []).length > 0, open };
  }

  place(box, x) {
    box.x = x;
    for (const kid of box.kids) this.place(kid, x + box.w + GAP);
  }

  render() {
    const rows = { next: 0 };
    const root = this.layout(this.tree, 0, "r", rows);
    this.place(root, 0);
    this.view.innerHTML = "";
    const edges = document.createElementNS(SVG_NS, "g");
    const nodes = document.createElementNS(SVG_NS, "g");
    this.view.appendChild(edges);
    this.view.appendChild(nodes);
    let width = 0;
    const draw = (box, level) => {
      const cy = box.y * ROW + ROW / 2;
      width = Math.max(width, box.x + box.w);
      const g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", `mm-node mm-level-${Math.min(level, 4)}`);
      g.setAttribute("role", "treeitem");
      g.setAttribute("tabindex", "0");
      g.setAttribute("aria-level", String(level + 1));
      g.setAttribute("aria-label", nodeText(box.node, this.lang));
      g.dataset.label = box.node.label;
      if (box.hasKids) g.setAttribute("aria-expanded", String(box.open));
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("x", box.x);
      rect.setAttribute("y", cy - 11);
      rect.setAttribute("width", box.w);
      rect.setAttribute("height", 22);
      rect.setAttribute("rx", 6);
      const text = document.createElementNS(SVG_NS, "text");
      text.setAttribute("x", box.x + PAD);
      text.setAttribute("y", cy + 4.5);
      text.textContent = nodeText(box.node, this.lang) + (box.hasKids && !box.open ? "  ▸" : "");
      g.appendChild(rect);
      g.appendChild(text);
      const toggle = () => {
        if (!box.hasKids) return;
        if (this.collapsed.has(box.path)) this.collapsed.delete(box.path); else this.collapsed.add(box.path);
        this.render();
        const again = this.view.querySelector(`[data-path="${box.path}"]`);
        if (again) again.focus();
      };
      g.dataset.path = box.path;
      g.addEventListener("click", toggle);
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
      });
      nodes.appendChild(g);  // a node before its children: reading order is the tree's
      for (const kid of box.kids) {
        const ky = kid.y * ROW + ROW / 2;
        const path = document.createElementNS(SVG_NS, "path");
        const x1 = box.x + box.w, x2 = kid.x, mid = (x1 + x2) / 2;
        path.setAttribute("d", `M${x1},${cy} C${mid},${cy} ${mid},${ky} ${x2},${ky}`);
        path.setAttribute("class", "mm-edge");
        edges.appendChild(path);
        draw(kid, level + 1);
      }
    };
    draw(root, 0);
    const height = rows.next * ROW + 24;
    this.size = { width: width + 24, height };
    this.svg.setAttribute("viewBox", `0 0 ${Math.max(width + 24, 300)} ${Math.max(height, 120)}`);
    this.svg.setAttribute("width", Math.max(width + 24, 300));
    this.svg.setAttribute("height", Math.max(height, 120));
    this.apply();
  }

  serialized() {
    const clone = this.svg.cloneNode(true);
    const style = document.createElementNS(SVG_NS, "style");
    style.textContent = MINDMAP_CSS;
    clone.insertBefore(style, clone.firstChild);
    return new XMLSerializer().serializeToString(clone);
  }

  download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  exportSvg() {
    this.download("reasons.svg", new Blob([this.serialized()], { type: "image/svg+xml" }));
  }

  exportJson() {
    this.download("reasons.json", new Blob([JSON.stringify(this.tree, null, 2)], { type: "application/json" }));
  }

  exportPng() {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([this.serialized()], { type: "image/svg+xml" }));
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = this.size.width * 2;
      canvas.height = this.size.height * 2;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      canvas.toBlob((blob) => this.download("reasons.png", blob), "image/png");
      URL.revokeObjectURL(url);
    };
    img.src = url;
  }
}

// the colours of an exported map (the page's stylesheet does not travel with the file)
const MINDMAP_CSS = `
  text { font: 13px system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; fill: #1f2933; }
  .mm-edge { fill: none; stroke: #9aa5b1; stroke-width: 1.4; }
  .mm-node rect { fill: #f5f7fa; stroke: #7b8794; }
  .mm-level-0 rect { fill: #243b53; } .mm-level-0 text { fill: #ffffff; font-weight: 600; }
  .mm-level-1 rect { fill: #d9e8ff; stroke: #486581; }
  .mm-level-2 rect { fill: #e3f9e5; stroke: #57ae5b; }
  .mm-level-3 rect { fill: #fffbea; stroke: #c99a2e; }
`;

window.MindMap = MindMap;
