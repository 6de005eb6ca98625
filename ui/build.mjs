// Bundle src/main.js (sigma.js, graphology, ForceAtlas2) into one ES module inside the Python package,
// with the licences of every bundled npm package beside it. Run by `make ui` (npm ci && npm run build).
import { build } from "esbuild";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const OUT = "../src/papergraph/api/static";

const result = await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  metafile: true,
  outfile: `${OUT}/explorer.js`,
});

// node_modules/<name>/... or node_modules/@scope/<name>/... -> the package folder
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const notices = [...packages].sort().map((name) => {
  const folder = join("node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  const text = file ? readFileSync(join(folder, file), "utf8").trim() : `${license} (no licence file in the package)`;
  return `${name} ${version} (${license})\n\n${text}\n`;
});
writeFileSync(
  `${OUT}/explorer.licenses.txt`,
  `Third-party code bundled in explorer.js (built from ui/ by \`make ui\`):\n\n${notices.join("\n" + "-".repeat(78) + "\n\n")}`,
);
console.log(`explorer.js: ${packages.size} packages bundled: ${[...packages].sort().join(", ")}`);
