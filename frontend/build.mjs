// Build the front end into build/static: compile the Sass, copy the scripts the pages load.
// Everything comes from node_modules (npm), nothing from a CDN.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const modules = join(root, "node_modules");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "vendor"), { recursive: true });

const result = sass.compile(join(root, "frontend", "app.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "app.css"), result.css);

cpSync(join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"), join(out, "vendor", "govuk-frontend.min.js"));
cpSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "vendor", "htmx.min.js"));
cpSync(join(modules, "govuk-frontend", "dist", "govuk", "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });

console.log(`Built ${out}`);
