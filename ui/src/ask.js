// The Ask box: POST /ask, then the answer, its evidence, the Cypher (with a copy button), and the subgraph
// the answer used (its papers, their metrics, the entities named) drawn and highlighted on the canvas.

import { api } from "./api.js";
import { $, h, toast } from "./dom.js";

// What an answer used, as /graph/subgraph takes it: ids of papers and metrics, entities by type and name.
export function usedBy(result) {
  const ids = new Set();
  const entities = new Map();
  const entity = (type, name) => entities.set(`${type}\u0000${name}`, { type, name });
  for (const e of result.entities) entity(e.type, e.name);
  for (const p of result.papers) {
    ids.add(p.id);
    for (const m of p.metrics) ids.add(m.id);
    for (const ev of p.evidence) if (ev.type !== "metric") entity(ev.type, ev.name);
  }
  return { ids: [...ids], entities: [...entities.values()] };
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { style: "position:fixed;opacity:0" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  toast("Cypher copied");
}

export class AskBox {
  constructor(explorer) {
    this.explorer = explorer;
    this.form = $("ask-form");
    this.input = $("ask-input");
    this.panel = $("answer");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.ask(this.input.value.trim());
    });
  }

  async ask(question) {
    if (!question) return;
    this.panel.hidden = false;
    this.panel.replaceChildren(h("p", { class: "note" }, "Thinking…"));
    try {
      const result = await api.ask(question);
      const { ids, entities } = usedBy(result);
      const sub = await api.subgraph(ids, entities);
      this.render(result);
      this.explorer.showSubgraph(sub);
    } catch (err) {
      this.panel.replaceChildren(h("p", { class: "note" }, String(err.message || err)));
    }
  }

  render(result) {
    const cypher = result.graph_queries.map((q) => q.cypher).join(";\n\n");
    this.panel.replaceChildren(
      h("h2", {}, "Answer"),
      h("p", { class: "text", "data-testid": "answer-text" }, result.answer),
      h("p", { class: "note" }, `${result.intent} · ${result.matched} matching papers · ${Math.round(result.took_ms)} ms`),
      h(
        "ul",
        { class: "links", "data-testid": "answer-evidence" },
        result.papers.map((p) =>
          h(
            "li",
            {},
            h("a", { class: "node", onclick: () => this.explorer.open({ id: p.id, label: "Paper", name: p.title, papers: 1 }) }, p.title),
            p.evidence.slice(0, 3).map((ev) => h("blockquote", {}, ev.sentence)),
          ),
        ),
      ),
      cypher
        ? h(
            "div",
            {},
            h("h4", {}, "Cypher ", h("button", { type: "button", "data-testid": "copy-cypher", onclick: () => copy(cypher) }, "Copy")),
            h("pre", { class: "cypher", "data-testid": "cypher" }, cypher),
          )
        : null,
    );
  }
}
