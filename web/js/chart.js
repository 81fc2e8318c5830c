// A small line chart as SVG (no library, no inline styles: the panel's CSP
// allows neither): time on x, one or more series on y, the lowest and highest
// values and the first and last times written on the axes, an optional
// threshold line (a low rx limit). Colours come from style.css by class.

import { when } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};

// `series`: [{ label, cls, points: [[RFC 3339 time, number], ...] }];
// `format` writes a value; `threshold`: { value, label } drawn dashed.
export function lineChart({ id, title, series, format = String, threshold = null }) {
  const W = 640, H = 220, L = 64, R = 12, T = 12, B = 36;
  const all = series.flatMap((s) => s.points.map(([at, v]) => [Date.parse(at), Number(v)]))
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (!all.length) return null;
  const xs = all.map(([x]) => x), ys = all.map(([, y]) => y);
  if (threshold) ys.push(Number(threshold.value));
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) { x0 -= 60000; x1 += 60000; }
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const px = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": `${id}-title` },
    svg("title", { id: `${id}-title` }, title),
    svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }),
    svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }),
    svg("text", { x: L - 6, y: T + 10, "text-anchor": "end", class: "tick" }, format(y1)),
    svg("text", { x: L - 6, y: H - B, "text-anchor": "end", class: "tick" }, format(y0)),
    svg("text", { x: L, y: H - 10, class: "tick" }, when(new Date(x0).toISOString())),
    svg("text", { x: W - R, y: H - 10, "text-anchor": "end", class: "tick" }, when(new Date(x1).toISOString())));
  if (threshold) {
    const y = py(Number(threshold.value));
    chart.append(svg("line", { x1: L, y1: y, x2: W - R, y2: y, class: "threshold" }),
      svg("text", { x: W - R, y: y - 4, "text-anchor": "end", class: "tick" }, threshold.label));
  }
  for (const s of series) {
    const pts = s.points.map(([at, v]) => [Date.parse(at), Number(v)]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .sort((a, b) => a[0] - b[0]);
    if (!pts.length) continue;
    // One reading is a dot; more are a line.
    if (pts.length === 1) chart.append(svg("circle", { cx: px(pts[0][0]), cy: py(pts[0][1]), r: 4, class: `dot ${s.cls || ""}` }));
    else chart.append(svg("polyline", { points: pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" "), class: `series ${s.cls || ""}` }));
  }
  const legend = document.createElement("p");
  legend.className = "legend";
  for (const s of series) {
    const key = document.createElement("span");
    key.className = `key ${s.cls || ""}`;
    key.textContent = s.label;
    legend.append(key, " ");
  }
  const figure = document.createElement("figure");
  figure.id = id;
  figure.className = "chart-box";
  figure.append(chart, legend);
  return figure;
}
