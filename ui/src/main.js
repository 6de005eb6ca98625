// The PaperGraph explorer page: wires the canvas, search, details, filters, path and Ask together.
// `window.explorer` is the page's automation hook (browser tests, scripts/bench_ui.py): keep it stable.

import { api } from "./api.js";
import { AskBox } from "./ask.js";
import { Details } from "./details.js";
import { $, toast } from "./dom.js";
import { Filters } from "./filters.js";
import { GraphView } from "./graph.js";
import { SearchBox } from "./search.js";

const PARAMS = new URLSearchParams(location.search);
const PAGE = Number(PARAMS.get("limit")) || 25; // neighbours per expansion; ?limit= changes it
const SEED = { entities: 6, neighbours: 12 };

class Explorer {
  constructor(overview) {
    this.style = overview.style;
    this.overview = overview;
    this.expansions = new Map(); // node id -> {shown, total, more}
    this.pathEnds = { source: null, target: null };
    this.view = new GraphView($("canvas"), this.style, {
      onClick: (id) => this.open(this.view.node(id)),
      onDoubleClick: (id) => this.expand(id),
      onChange: ({ nodes, edges }) => {
        $("graph-stats").textContent = `${nodes} nodes, ${edges} edges`;
      },
    });
    this.details = new Details(this);
    this.search = new SearchBox(this);
    this.ask = new AskBox(this);
    this.filters = new Filters(this, overview);
    $("seed").addEventListener("click", () => this.seed());
    $("clear").addEventListener("click", () => this.clear());
    $("clear-highlight").addEventListener("click", () => this.highlight(null));
  }

  // Put a node on the canvas (if missing), select it and show its details; optionally expand it too.
  async open(node, { expand = false } = {}) {
    if (!node) return;
    if (!this.view.has(node.id)) this.view.add([{ papers: 0, properties: {}, ...node }], []);
    this.view.select(node.id);
    const shown = this.details.show(this.view.node(node.id));
    if (expand && !this.expansions.has(node.id)) await this.expand(node.id);
    await shown;
  }

  // Add a page of a node's neighbours: the first page, or (more) the page after those already shown.
  async expand(id, { more = false, limit = PAGE } = {}) {
    const before = this.expansions.get(id);
    const offset = more && before ? before.shown : 0;
    try {
      const page = await api.expand(id, limit, offset);
      this.view.add(page.nodes, page.edges, { anchor: id });
      const shown = Math.min(page.total, page.offset + page.nodes.length - 1);
      this.expansions.set(id, { shown: Math.max(shown, before?.shown ?? 0), total: page.total, more: page.more });
      if (this.details.current?.id === id) this.details.refreshActions();
      return page;
    } catch (err) {
      toast(err.message);
      return null;
    }
  }

  async seed() {
    const top = this.overview.top.slice(0, SEED.entities);
    for (const hit of top) await this.expand(hit.id, { limit: SEED.neighbours });
  }

  highlight(ids) {
    this.view.highlight(ids);
    $("clear-highlight").disabled = !ids || !ids.size;
  }

  showSubgraph(sub) {
    this.view.add(sub.nodes, sub.edges);
    this.highlight(new Set(sub.nodes.map((n) => n.id)));
  }

  setPathEnd(end, node) {
    this.pathEnds[end] = node;
    $(`path-${end}`).textContent = node.name;
    const { source, target } = this.pathEnds;
    if (source && target) this.findPath(source, target);
  }

  async findPath(source, target) {
    const result = $("path-result");
    result.textContent = "Searching…";
    try {
      const path = await api.path(source.id, target.id);
      if (!path.found) {
        result.textContent = `No path of 6 hops or fewer (${path.explored} nodes explored).`;
        return;
      }
      this.view.add(path.nodes, path.edges);
      this.highlight(new Set(path.nodes.map((n) => n.id)));
      result.textContent = `${path.hops} hops: ${path.nodes.map((n) => n.name).join(" → ")}`;
    } catch (err) {
      result.textContent = err.message;
    }
  }

  clear() {
    this.view.clear();
    this.expansions.clear();
    this.highlight(null);
  }
}

async function start() {
  const overview = await api.overview();
  const explorer = new Explorer(overview);
  window.explorer = explorer;
  const node = PARAMS.get("node");
  if (node) {
    if (await explorer.expand(node)) await explorer.open(explorer.view.node(node));
  } else if (PARAMS.get("seed") !== "0") {
    await explorer.seed();
  }
  return explorer;
}

window.explorerReady = start().catch((err) => {
  toast(`Cannot load the graph: ${err.message}`);
  throw err;
});
