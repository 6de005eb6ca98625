"""Explorer page benchmark: page load, expanding a node with 50 neighbours, frame time with 2,000 nodes.

The page is served by a real uvicorn server on loopback and driven by Debian's chromium (headless, software
WebGL: SwiftShader, so frame times are an upper bound for a machine with a GPU). By default the graph is
synthetic (no model is loaded): papers linked to a few hub entities each, so one hub has exactly 50
neighbours and 2,000 nodes are reachable by expanding hubs. ``--data-dir`` serves an ingested corpus instead
(the 2,000-node figure then needs a corpus that large).

    python scripts/bench_ui.py                 # synthetic graph, medians of --runs
    python scripts/bench_ui.py --data-dir data # the ingested bundled corpus (loads the models)

Targets (issue #11): DOMContentLoaded <= 1 s on loopback, expand of 50 neighbours <= 200 ms, smooth with
2,000 visible nodes (frame time <= 16.7 ms for 60 fps).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from papergraph.config import Settings
from papergraph.models import (
    ExtractedPaper,
    Extraction,
    HardwareMention,
    HardwareType,
    Paper,
    TechniqueMention,
)
from papergraph.query import Engine
from support import CHROMIUM_ARGS, build_engine, serve

log = logging.getLogger("bench_ui")
CHROMIUM = "/usr/bin/chromium"
HUBS = 24
PAPERS_PER_HUB = 100  # the hub "hardware:hub-0" gets exactly 50 (see synthetic_docs)


def synthetic_docs(seed: int = 7) -> list[ExtractedPaper]:
    """HUBS hardware hubs; hub 0 has 50 papers, the others PAPERS_PER_HUB; each paper also names a technique."""
    rng = random.Random(seed)
    docs = []
    for hub in range(HUBS):
        for i in range(50 if hub == 0 else PAPERS_PER_HUB):
            pid = f"h{hub:02d}p{i:03d}"
            paper = Paper(id=pid, title=f"Paper {i} on hub {hub}", abstract="Synthetic.", year=2015 + rng.randrange(10))
            technique = f"technique {rng.randrange(300)}"
            extraction = Extraction(
                paper_id=pid,
                hardware=[HardwareMention(name=f"Hub {hub}", type=HardwareType.GPU, surface=f"Hub {hub}")],
                techniques=[TechniqueMention(name=technique, surface=technique)],
            )
            docs.append(ExtractedPaper(paper=paper, extraction=extraction))
    return docs


def synthetic_engine() -> Engine:
    return build_engine(synthetic_docs())


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(url)
    page.wait_for_function("window.explorerReady !== undefined")
    page.evaluate("window.explorerReady.then(() => true)")
    return page


def page_load(browser: Any, url: str, runs: int) -> dict[str, float]:
    """DOMContentLoaded and ready-to-use times of a cold load (new context: empty cache)."""
    dcl, ready = [], []
    for _ in range(runs):
        page = open_page(browser, f"{url}/?seed=0")
        nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
        dcl.append(nav["domContentLoadedEventEnd"])
        ready.append(page.evaluate("performance.now()"))
        page.context.close()
    return {"dom_content_loaded_ms": statistics.median(dcl), "ready_ms": statistics.median(ready)}


EXPAND = """async ([id, limit]) => {
  const e = window.explorer;
  e.clear();
  await new Promise((r) => requestAnimationFrame(r));
  const t0 = performance.now();
  const page = await e.expand(id, { limit });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { ms: performance.now() - t0, nodes: page.nodes.length - 1 };
}"""


def expand_time(browser: Any, url: str, node: str, runs: int) -> dict[str, float]:
    """From the request to the second frame after the neighbours were added (fetch, add, layout start, draw)."""
    page = open_page(browser, f"{url}/?seed=0")
    page.evaluate(EXPAND, [node, 50])  # warm-up
    results = [page.evaluate(EXPAND, [node, 50]) for _ in range(runs)]
    page.context.close()
    return {"expand_ms": statistics.median(r["ms"] for r in results), "neighbours": results[0]["nodes"]}


FILL = """async ([hubs, limit, want]) => {
  const e = window.explorer;
  for (const id of hubs) {
    await e.expand(id, { limit });
    if (e.view.counts().nodes >= want) break;
  }
  return e.view.counts();
}"""

FRAMES = """async ([ms, layout]) => {
  const v = window.explorer.view;
  if (layout) v.relayout(); else v.stopLayout();
  const camera = v.renderer.getCamera();
  const gaps = [];
  let last = performance.now();
  const end = last + ms;
  await new Promise((resolve) => {
    const frame = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(frame); else resolve();
    };
    requestAnimationFrame(frame);
    // zoom in and out as a mouse wheel does (an animated camera: sigma redraws every frame)
    const zoom = (i) => {
      if (performance.now() >= end) return;
      camera.animate({ ratio: i % 2 ? 0.6 : 1.2 }, { duration: 400 }).then(() => zoom(i + 1));
    };
    zoom(0);
  });
  v.stopLayout();
  const q = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  return { frames: gaps.length, gap_p50: q(gaps, 0.5), gap_p95: q(gaps, 0.95) };
}"""

RENDER = """(n) => {
  const r = window.explorer.view.renderer;
  const times = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); r.refresh(); times.push(performance.now() - t0); }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}"""


def frame_times(browser: Any, url: str, hubs: list[str], want: int, seconds: float) -> dict[str, Any]:
    """Frame intervals while the camera moves over ``want`` visible nodes (and over an empty canvas, the
    browser's own floor), and the JavaScript side of one redraw (reducers and buffers, not rasterisation)."""
    page = open_page(browser, f"{url}/?seed=0")
    counts = page.evaluate(FILL, [hubs, 500, want])
    idle = page.evaluate(FRAMES, [seconds * 1000, False])
    laying_out = page.evaluate(FRAMES, [seconds * 1000, True])
    render = page.evaluate(RENDER, 20)
    blank = open_page(page.context.browser, f"{url}/?seed=0")
    empty = blank.evaluate(FRAMES, [1000, False])
    for opened in (page, blank):
        opened.context.close()
    return {
        "visible": counts,
        "render_js_ms": render,
        "empty_canvas": empty,
        "camera_moving": idle,
        "camera_moving_and_layout_running": laying_out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="serve this ingested data directory (default: synthetic)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--nodes", type=int, default=2000, help="visible nodes for the frame-time measurement")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each frame-time measurement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from playwright.sync_api import sync_playwright

    engine = Engine.load(Settings(data_dir=args.data_dir), serving=True) if args.data_dir else synthetic_engine()
    entities = engine.store.entities(limit=10_000)
    with_50 = [e.id for e in entities if (engine.store.degree(e.id) or 0) >= 50]
    hubs = [e.id for e in entities]
    with serve(engine) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        figures: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
        figures.update(page_load(browser, url, args.runs))
        if with_50:
            node = min(with_50, key=lambda n: engine.store.degree(n) or 0)
            figures.update(expand_time(browser, url, node, args.runs))
        figures["frames"] = frame_times(browser, url, hubs, args.nodes, args.seconds)
        browser.close()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    frames = figures["frames"]
    print(f"load average {figures['load_average'][0]:.1f} on {figures['cpus']} cpus (figures under load if high)")
    print(f"page load: DOMContentLoaded {figures['dom_content_loaded_ms']:.0f} ms, ready {figures['ready_ms']:.0f} ms")
    if "expand_ms" in figures:
        print(f"expand a node with {figures['neighbours']} neighbours: {figures['expand_ms']:.0f} ms (median)")
    print(f"{frames['visible']['nodes']} nodes, {frames['visible']['edges']} edges visible:")
    print(f"  one redraw, JavaScript side: {frames['render_js_ms']:.1f} ms (median)")
    for name in ("empty_canvas", "camera_moving", "camera_moving_and_layout_running"):
        f = frames[name]
        print(
            f"  {name.replace('_', ' ')}: frame interval p50 {f['gap_p50']:.1f} ms, p95 {f['gap_p95']:.1f} ms "
            f"({f['frames']} frames)"
        )


if __name__ == "__main__":
    main()
