// The canvas: a graphology graph drawn by sigma.js (WebGL), laid out by ForceAtlas2 in a web worker.
// Colours, sizes and captions come from the server's style (papergraph.grass). Filters hide nodes; a
// highlight dims everything outside a set of nodes (an answer's subgraph, a path).

import Graph from "graphology";
import Sigma from "sigma";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";

const DIM_NODE = "#e4e6eb";
const DIM_EDGE = "#f0f1f4";
const CAPTION_CHARS = 42;
const LAYOUT_MS = { base: 1200, perNode: 1.5, max: 5000 };
const LARGE = 1000; // above this many nodes, edges and labels are hidden while the camera moves

function caption(name) {
  return name.length > CAPTION_CHARS ? `${name.slice(0, CAPTION_CHARS - 1)}…` : name;
}

export class GraphView {
  constructor(container, style, { onClick, onDoubleClick, onChange }) {
    this.style = style;
    this.graph = new Graph({ multi: false, type: "directed" });
    this.filter = () => true;
    this.highlighted = null; // Set of node ids, or null
    this.selected = null;
    this.onChange = onChange;
    this.renderer = new Sigma(this.graph, container, {
      defaultEdgeType: "arrow",
      labelFont: "system-ui, sans-serif",
      labelSize: 12,
      labelRenderedSizeThreshold: 7,
      zIndex: true,
      hideEdgesOnMove: false,
      nodeReducer: (node, data) => this.reduceNode(node, data),
      edgeReducer: (edge, data) => this.reduceEdge(edge, data),
    });
    this.renderer.on("clickNode", ({ node }) => onClick(node));
    this.renderer.on("doubleClickNode", ({ node, event }) => {
      event.preventSigmaDefault();
      onDoubleClick(node);
    });
    this.layout = new FA2Layout(this.graph, {
      settings: { ...forceAtlas2.inferSettings(500), gravity: 1, scalingRatio: 8, slowDown: 4 },
    });
    this.layoutTimer = null;
  }

  // --- contents -----------------------------------------------------------------------------------
  nodeSize(node) {
    const base = (this.style.nodes[node.label]?.diameter ?? 50) / 12;
    return node.label === "Paper" || node.label === "Metric" ? base : base + 1.6 * Math.sqrt(node.papers || 0);
  }

  // Add nodes and edges (those already present are kept); new nodes start next to a neighbour on the canvas.
  add(nodes, edges, { anchor = null } = {}) {
    const fresh = nodes.filter((n) => !this.graph.hasNode(n.id));
    for (const n of nodes) {
      // a node first added from a link (no counts yet) takes its paper count and properties when seen again
      if (this.graph.hasNode(n.id) && n.papers > (this.graph.getNodeAttribute(n.id, "papers") || 0)) {
        this.graph.mergeNodeAttributes(n.id, { papers: n.papers, size: this.nodeSize(n), properties: n.properties || {} });
      }
    }
    const known = new Set(this.graph.nodes());
    const near = new Map();
    for (const e of edges) {
      if (known.has(e.source)) near.set(e.target, e.source);
      if (known.has(e.target)) near.set(e.source, e.target);
    }
    const spread = 4 + Math.sqrt(this.graph.order + fresh.length) * 6;
    for (const n of fresh) {
      const from = anchor && known.has(anchor) ? anchor : near.get(n.id);
      const origin = from ? this.graph.getNodeAttributes(from) : { x: 0, y: 0 };
      const angle = Math.random() * 2 * Math.PI;
      const radius = from ? 2 + Math.random() * 6 : Math.random() * spread;
      const style = this.style.nodes[n.label] ?? {};
      this.graph.addNode(n.id, {
        x: origin.x + radius * Math.cos(angle),
        y: origin.y + radius * Math.sin(angle),
        size: this.nodeSize(n),
        color: style.color ?? "#A5ABB6",
        label: caption(n.name),
        name: n.name,
        kind: n.label,
        papers: n.papers,
        properties: n.properties || {},
      });
    }
    let added = 0;
    for (const e of edges) {
      if (!this.graph.hasNode(e.source) || !this.graph.hasNode(e.target) || this.graph.hasEdge(e.source, e.target)) continue;
      const style = this.style.relationships[e.type] ?? {};
      this.graph.addDirectedEdge(e.source, e.target, {
        type: "arrow",
        rel: e.type,
        color: style.color ?? "#A5ABB6",
        size: Math.max(1, style.width ?? 1),
      });
      added += 1;
    }
    if (fresh.length || added) this.relayout();
    this.changed();
    return fresh.length;
  }

  clear() {
    this.graph.clear();
    this.highlighted = null;
    this.selected = null;
    this.changed();
  }

  has(id) {
    return this.graph.hasNode(id);
  }

  node(id) {
    if (!this.graph.hasNode(id)) return null;
    const a = this.graph.getNodeAttributes(id);
    return { id, label: a.kind, name: a.name, papers: a.papers, properties: a.properties };
  }

  // --- filters and highlight ----------------------------------------------------------------------
  visible(id) {
    return this.filter(this.node(id));
  }

  setFilter(filter) {
    this.filter = filter;
    this.changed();
  }

  highlight(ids) {
    this.highlighted = ids && ids.size ? new Set(ids) : null;
    this.changed();
    if (this.highlighted) this.fitTo(this.highlighted);
  }

  select(id) {
    this.selected = id;
    this.renderer.refresh({ skipIndexation: true });
  }

  reduceNode(node, data) {
    const a = this.graph.getNodeAttributes(node);
    if (!this.filter({ id: node, label: a.kind, name: a.name, papers: a.papers, properties: a.properties })) {
      return { ...data, hidden: true };
    }
    const out = { ...data };
    if (this.highlighted && !this.highlighted.has(node)) {
      out.color = DIM_NODE;
      out.label = null;
      out.zIndex = 0;
    } else if (this.highlighted) {
      out.zIndex = 1;
      out.forceLabel = true;
    }
    if (node === this.selected) {
      out.highlighted = true;
      out.forceLabel = true;
      out.zIndex = 2;
    }
    return out;
  }

  reduceEdge(edge, data) {
    const [s, t] = this.graph.extremities(edge);
    if (!this.visible(s) || !this.visible(t)) return { ...data, hidden: true };
    if (this.highlighted && !(this.highlighted.has(s) && this.highlighted.has(t))) {
      return { ...data, color: DIM_EDGE, zIndex: 0 };
    }
    return this.highlighted ? { ...data, zIndex: 1, size: data.size + 1 } : data;
  }

  // What is drawn: nodes that pass the filters and the edges between them.
  counts() {
    let nodes = 0;
    let edges = 0;
    this.graph.forEachNode((id) => {
      if (this.visible(id)) nodes += 1;
    });
    this.graph.forEachEdge((edge, attrs, s, t) => {
      if (this.visible(s) && this.visible(t)) edges += 1;
    });
    return { nodes, edges };
  }

  changed() {
    const large = this.graph.order > LARGE;
    if (this.renderer.getSetting("hideEdgesOnMove") !== large) {
      this.renderer.setSetting("hideEdgesOnMove", large);
      this.renderer.setSetting("hideLabelsOnMove", large);
    }
    this.renderer.refresh();
    this.onChange(this.counts());
  }

  // --- layout and camera --------------------------------------------------------------------------
  relayout() {
    clearTimeout(this.layoutTimer);
    if (!this.layout.isRunning()) this.layout.start();
    const ms = Math.min(LAYOUT_MS.max, LAYOUT_MS.base + LAYOUT_MS.perNode * this.graph.order);
    this.layoutTimer = setTimeout(() => {
      this.layout.stop();
      if (this.highlighted) this.fitTo(this.highlighted); // where the layout left them
    }, ms);
  }

  stopLayout() {
    clearTimeout(this.layoutTimer);
    this.layout.stop();
  }

  focus(id) {
    const data = this.renderer.getNodeDisplayData(id);
    if (data) this.renderer.getCamera().animate({ x: data.x, y: data.y, ratio: 0.6 }, { duration: 400 });
  }

  fit() {
    this.renderer.getCamera().animatedReset({ duration: 300 });
  }

  // Move the camera so that these nodes fill most of the canvas.
  fitTo(ids) {
    const points = [...ids].map((id) => this.renderer.getNodeDisplayData(id)).filter(Boolean);
    if (!points.length) return;
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const ratio = Math.min(1, Math.max(0.5, 2 * Math.max(x1 - x0, y1 - y0))); // keep some context around them
    this.renderer.getCamera().animate({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio }, { duration: 400 });
  }

  // Where a node is drawn, in CSS pixels from the canvas's top-left corner (for tests and benchmarks).
  position(id) {
    if (!this.graph.hasNode(id)) return null;
    const { x, y } = this.graph.getNodeAttributes(id);
    return this.renderer.graphToViewport({ x, y });
  }
}
