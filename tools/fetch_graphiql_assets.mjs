// fetch_graphiql_assets.mjs - install the packages whose files the gateway embeds as GraphiQL's
// assets (graphiql, react, react-dom) at the versions pinned in tests/js/package-lock.json,
// without npm: the image build needs only Node.js (Debian's npm brings some 500 packages).
//
//   node tools/fetch_graphiql_assets.mjs tests/js/package-lock.json tests/js/node_modules
//
// Each package's tarball comes from the npm registry (NPM_REGISTRY, https://registry.npmjs.org)
// and is checked against the lock file's integrity (sha512) before it is unpacked into
// NODE_MODULES/<name> with tar. Exit 1, saying why, on any failure.
// Licensed under the Apache License 2.0.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";

const PACKAGES = ["graphiql", "react", "react-dom"];
const [lockPath, nodeModules] = process.argv.slice(2);
if (!lockPath || !nodeModules) {
  console.error("usage: node fetch_graphiql_assets.mjs PACKAGE-LOCK.JSON NODE_MODULES");
  process.exit(2);
}
const registry = (process.env.NPM_REGISTRY || "https://registry.npmjs.org").replace(/\/$/, "");
const lock = JSON.parse(readFileSync(lockPath, "utf8"));

for (const name of PACKAGES) {
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity?.startsWith("sha512-"))
    throw new Error(`${lockPath} pins no version with a sha512 integrity for ${name}`);
  const url = entry.resolved || `${registry}/${name}/-/${name.split("/").pop()}-${entry.version}.tgz`;
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`${url}: HTTP ${response.status}`);
  const tarball = Buffer.from(await response.arrayBuffer());
  const digest = "sha512-" + createHash("sha512").update(tarball).digest("base64");
  if (digest !== entry.integrity)
    throw new Error(`${url}: integrity ${digest} is not the lock file's ${entry.integrity}`);
  const dir = `${nodeModules}/${name}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-xzf", "-", "--strip-components=1", "--no-same-owner", "-C", dir], { input: tarball });
  console.log(`${name} ${entry.version}: ${tarball.length} bytes, integrity checked`);
}
