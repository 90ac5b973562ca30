#!/usr/bin/env node
// Checks (or rewrites) the formatting of Terraform files the way `terraform fmt -check` does,
// with HashiCorp's own hclwrite formatter (npm @cdktf/hcl-tools), so no terraform binary is
// needed. Usage: node tools/hclfmt.mjs [--write] [--json] PATH...
// Exit status: 0 when every file is formatted, 1 when some are not (their paths are printed),
// 2 on a usage or parse error. Symlinked files are checked once, through their target.
import { readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

const require = createRequire(import.meta.url);
const { format } = require("@cdktf/hcl-tools");

const SKIP_DIRS = new Set([".terraform", "node_modules", ".git"]);

function* tfFiles(path) {
  const info = statSync(path);
  if (info.isFile()) {
    if (path.endsWith(".tf") || path.endsWith(".tfvars")) yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (SKIP_DIRS.has(entry)) continue;
    yield* tfFiles(join(path, entry));
  }
}

async function main(argv) {
  const write = argv.includes("--write");
  const json = argv.includes("--json");
  const paths = argv.filter((a) => !a.startsWith("--"));
  if (paths.length === 0) {
    console.error("usage: node tools/hclfmt.mjs [--write] [--json] PATH...");
    return 2;
  }
  const seen = new Set();
  const unformatted = [];
  for (const root of paths) {
    for (const file of tfFiles(root)) {
      const real = realpathSync(file);
      if (seen.has(real)) continue;
      seen.add(real);
      const text = readFileSync(real, "utf8");
      let formatted;
      try {
        formatted = await format(text);
      } catch (err) {
        console.error(`${file}: cannot format: ${err}`);
        return 2;
      }
      if (formatted !== text) {
        unformatted.push(relative(process.cwd(), real));
        if (write) writeFileSync(real, formatted);
      }
    }
  }
  if (json) console.log(JSON.stringify({ checked: seen.size, unformatted }));
  else for (const file of unformatted) console.log(file);
  return unformatted.length > 0 && !write ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
