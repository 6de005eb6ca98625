// The details panel: a paper (abstract with its evidence sentences marked, entities, metrics) or an entity
// (its papers and the entities that co-occur with it), with the actions on the node.

import { api } from "./api.js";
import { $, h, swatch } from "./dom.js";

// The abstract as text and <mark> nodes: every evidence sentence found in it is marked.
export function markedText(text, sentences) {
  const ranges = [];
  for (const sentence of new Set(sentences)) {
    if (!sentence) continue;
    let at = text.indexOf(sentence);
    while (at >= 0) {
      ranges.push([at, at + sentence.length]);
      at = text.indexOf(sentence, at + sentence.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  const out = [];
  let pos = 0;
  for (const [start, end] of merged) {
    if (start > pos) out.push(text.slice(pos, start));
    out.push(h("mark", {}, text.slice(start, end)));
    pos = end;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

function formatValue(m) {
  const n = (v) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));
  return m.value_max !== null && m.value_max !== undefined ? `${n(m.value)}–${n(m.value_max)}` : n(m.value);
}

export class Details {
  constructor(explorer) {
    this.explorer = explorer;
    this.el = $("details");
    this.current = null;
  }

  link(node) {
    const color = this.explorer.style.nodes[node.label]?.color ?? "#A5ABB6";
    return h(
      "a",
      { class: "node", title: node.label, onclick: () => this.explorer.open(node) },
      swatch(color),
      " ",
      node.name,
    );
  }

  actions(node) {
    const e = this.explorer;
    const page = e.expansions.get(node.id);
    const more = page && page.more > 0;
    return h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", "data-testid": "expand", onclick: () => e.expand(node.id) }, "Expand"),
      more
        ? h(
            "button",
            { type: "button", "data-testid": "expand-more", onclick: () => e.expand(node.id, { more: true }) },
            `${page.more} more`,
          )
        : null,
      h("button", { type: "button", "data-testid": "path-from", onclick: () => e.setPathEnd("source", node) }, "Path from"),
      h("button", { type: "button", "data-testid": "path-to", onclick: () => e.setPathEnd("target", node) }, "Path to"),
      page ? h("p", { class: "note", "data-testid": "expansion" }, `${page.shown} of ${page.total} neighbours shown`) : null,
    );
  }

  async show(node) {
    this.current = node;
    const render = { Paper: () => this.paper(node), Metric: () => this.metric(node) }[node.label] ?? (() => this.entity(node));
    try {
      const body = await render();
      if (this.current === node) this.el.replaceChildren(...body);
    } catch (err) {
      if (this.current === node) this.el.replaceChildren(h("p", { class: "note" }, String(err.message || err)));
    }
  }

  refreshActions() {
    const old = this.el.querySelector(".buttons");
    if (old && this.current) old.replaceWith(this.actions(this.current));
  }

  async paper(node) {
    const p = await api.paper(node.id);
    const evidence = [...p.entities.map((e) => e.evidence), ...p.metrics.map((m) => m.evidence)];
    const byType = new Map();
    for (const e of p.entities) {
      if (!byType.has(e.type)) byType.set(e.type, []);
      byType.get(e.type).push(e);
    }
    const label = (t) => t.charAt(0).toUpperCase() + t.slice(1);
    return [
      h("h3", {}, p.title),
      h("p", { class: "props" }, [p.year, p.authors.slice(0, 4).join(", ")].filter(Boolean).join(" · ")),
      this.actions(node),
      h("h4", {}, "Abstract"),
      h("p", { class: "abstract", "data-testid": "abstract" }, markedText(p.abstract, evidence)),
      ...[...byType].flatMap(([type, links]) => [
        h("h4", {}, `${label(type)} (${links.length})`),
        h(
          "div",
          { class: "chips" },
          links.map((e) =>
            h("span", { class: "chip", title: e.evidence }, this.link({ id: e.id, label: label(type), name: e.name, papers: 0 })),
          ),
        ),
      ]),
      p.metrics.length ? h("h4", {}, `Metrics (${p.metrics.length})`) : null,
      p.metrics.length
        ? h(
            "table",
            { "data-testid": "metrics" },
            h("tr", {}, h("th", {}, "metric"), h("th", {}, "value"), h("th", {}, "unit"), h("th", {}, "kind"), h("th", {}, "measured on")),
            p.metrics.map((m) =>
              h(
                "tr",
                { title: m.evidence },
                h("td", {}, m.metric),
                h("td", { class: "num" }, formatValue(m)),
                h("td", {}, m.unit),
                h("td", {}, m.kind),
                h("td", {}, m.hardware ?? "—"),
              ),
            ),
          )
        : null,
    ].filter(Boolean);
  }

  async entity(node) {
    const d = await api.entity(node.label, node.id);
    const props = Object.entries(d.entity.properties)
      .map(([k, v]) => `${k}: ${v}`)
      .join(" · ");
    return [
      h("h3", {}, d.entity.name),
      h("p", { class: "props" }, [node.label, props, `${d.entity.papers} papers`].filter(Boolean).join(" · ")),
      this.actions(node),
      h("h4", {}, `Papers (${d.entity.papers})`),
      h(
        "ul",
        { class: "links", "data-testid": "entity-papers" },
        d.papers.map((p) =>
          h("li", {}, this.link({ id: p.id, label: "Paper", name: p.title, papers: 1 }), p.evidence ? h("blockquote", {}, p.evidence) : null),
        ),
      ),
      h("h4", {}, "Co-occurring"),
      h(
        "div",
        { class: "chips", "data-testid": "cooccurring" },
        d.cooccurring.map((c) =>
          h("span", { class: "chip" }, this.link({ id: c.id, label: c.type.charAt(0).toUpperCase() + c.type.slice(1), name: c.name, papers: c.papers }), ` ${c.papers}`),
        ),
      ),
    ];
  }

  async metric(node) {
    const p = node.properties;
    const paper = this.explorer.view.node(p.paper_id);
    return [
      h("h3", {}, node.name),
      h("p", { class: "props" }, `Metric · ${p.kind} · ${p.metric}`),
      this.actions(node),
      h(
        "table",
        { "data-testid": "metrics" },
        h("tr", {}, h("th", {}, "value"), h("th", {}, "unit"), h("th", {}, "kind"), h("th", {}, "measured on")),
        h("tr", {}, h("td", { class: "num" }, formatValue(p)), h("td", {}, p.unit), h("td", {}, p.kind), h("td", {}, p.hardware ?? "—")),
      ),
      h("h4", {}, "Reported by"),
      this.link(paper ?? { id: p.paper_id, label: "Paper", name: p.paper_id, papers: 1 }),
    ];
  }
}
