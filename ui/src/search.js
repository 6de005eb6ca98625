// The search box: fuzzy matches over names, aliases and titles as the user types; picking one opens it.

import { api } from "./api.js";
import { $, h, swatch } from "./dom.js";

const DEBOUNCE_MS = 120;

export class SearchBox {
  constructor(explorer) {
    this.explorer = explorer;
    this.input = $("search-input");
    this.list = $("search-results");
    this.hits = [];
    this.active = -1;
    this.timer = null;
    this.seq = 0;
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.lookup(), DEBOUNCE_MS);
    });
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  async lookup() {
    const q = this.input.value.trim();
    const seq = ++this.seq;
    if (!q) return this.close();
    try {
      const found = await api.search(q);
      if (seq === this.seq) this.render(found.data);
    } catch {
      this.close();
    }
  }

  render(hits) {
    this.hits = hits;
    this.active = hits.length ? 0 : -1;
    const style = this.explorer.style.nodes;
    this.list.replaceChildren(
      ...(hits.length
        ? hits.map((hit, i) =>
            h(
              "li",
              {
                role: "option",
                "aria-selected": i === this.active ? "true" : "false",
                dataset: { id: hit.id },
                onmousedown: (event) => {
                  event.preventDefault();
                  this.pick(i);
                },
              },
              swatch(style[hit.label]?.color ?? "#A5ABB6"),
              h("span", {}, hit.name),
              hit.matched !== hit.name ? h("span", { class: "matched" }, `“${hit.matched}”`) : null,
              hit.label !== "Paper" ? h("span", { class: "matched" }, `${hit.papers}`) : null,
            ),
          )
        : [h("li", { class: "matched" }, "nothing similar")]),
    );
    this.list.hidden = false;
  }

  key(event) {
    if (this.list.hidden || !this.hits.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.hits.length) % this.hits.length;
      [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", i === this.active ? "true" : "false"));
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.pick(Math.max(this.active, 0));
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  pick(i) {
    const hit = this.hits[i];
    this.close();
    if (hit) this.explorer.open({ id: hit.id, label: hit.label, name: hit.name, papers: hit.papers, properties: hit.properties }, { expand: true });
  }

  close() {
    this.list.hidden = true;
    this.hits = [];
  }
}
