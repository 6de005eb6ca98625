// Filters on what is drawn: labels, hardware types and a year range (shown when the corpus has years).

import { $, h, swatch } from "./dom.js";

const LABELS = ["Paper", "Hardware", "Technique", "System", "Dataset", "Metric"];

export class Filters {
  constructor(explorer, overview) {
    this.explorer = explorer;
    this.labels = new Set(LABELS);
    this.types = new Set(overview.hardware_types);
    this.years = overview.years;
    this.renderLabels(overview);
    this.renderTypes(overview.hardware_types);
    this.renderYears();
  }

  checkbox(testid, checked, text, color, onchange) {
    return h(
      "label",
      {},
      h("input", { type: "checkbox", "data-testid": testid, checked, onchange }),
      color ? swatch(color) : null,
      text,
    );
  }

  renderLabels(overview) {
    $("label-filters").replaceChildren(
      ...LABELS.map((label) =>
        this.checkbox(`filter-${label}`, true, `${label} (${overview.nodes[label] ?? 0})`, this.explorer.style.nodes[label]?.color, (e) => {
          if (e.target.checked) this.labels.add(label);
          else this.labels.delete(label);
          this.apply();
        }),
      ),
    );
  }

  renderTypes(types) {
    $("hardware-filters-section").hidden = !types.length;
    $("hardware-filters").replaceChildren(
      ...types.map((type) =>
        this.checkbox(`filter-hw-${type}`, true, type, null, (e) => {
          if (e.target.checked) this.types.add(type);
          else this.types.delete(type);
          this.apply();
        }),
      ),
    );
  }

  renderYears() {
    if (!this.years) return;
    $("year-filter").hidden = false;
    for (const [testid, value] of [["year-min", this.years.min], ["year-max", this.years.max]]) {
      const input = $(testid);
      Object.assign(input, { min: this.years.min, max: this.years.max, value });
      input.addEventListener("change", () => this.apply());
    }
  }

  // A node passes when its label is on, a hardware node's type is on, and a paper's year (if known) is in range.
  predicate() {
    const labels = new Set(this.labels);
    const types = new Set(this.types);
    const lo = this.years ? Number($("year-min").value) || this.years.min : null;
    const hi = this.years ? Number($("year-max").value) || this.years.max : null;
    return (node) => {
      if (!node || !labels.has(node.label)) return false;
      const p = node.properties || {};
      if (node.label === "Hardware" && p.type && !types.has(p.type)) return false;
      if (node.label === "Paper" && lo !== null && typeof p.year === "number" && (p.year < lo || p.year > hi)) return false;
      return true;
    };
  }

  apply() {
    this.explorer.view.setFilter(this.predicate());
  }
}
