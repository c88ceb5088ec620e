// SPDX-License-Identifier: GPL-3.0-or-later
// node lint.mjs OPENAPI.yaml BUILT.json
//
// Lints docs/openapi.yaml with Redocly CLI (rules in redocly.yaml here: no
// finding is allowed), then checks that the JSON the server compiles in
// (made by src/server/openapi-to-c.py with PyYAML, YAML 1.1) reads the same
// as Redocly's reading of the YAML (YAML 1.2): the two YAML versions read a
// few unquoted values differently.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const redocly = join(here, 'node_modules', '.bin', 'redocly');
const [yamlPath, builtPath] = process.argv.slice(2);
if (!yamlPath || !builtPath) {
  console.error('usage: lint.mjs OPENAPI.yaml BUILT.json');
  process.exit(2);
}

function run(args) {
  const result = spawnSync(redocly, args, { encoding: 'utf8', cwd: here });
  if (result.error)
    throw result.error;
  return result;
}

let failed = false;

const lint = run(['lint', '--config', join(here, 'redocly.yaml'), '--format', 'codeframe', yamlPath]);
process.stdout.write(lint.stdout);
process.stdout.write(lint.stderr);
if (lint.status !== 0) {
  console.error(`not ok: Redocly CLI finds errors in ${yamlPath} (above)`);
  failed = true;
} else {
  console.log(`ok: Redocly CLI lints ${yamlPath} clean`);
}

// Local $refs resolved, so that a bundler inlining some of them (those
// under x- extensions) compares equal.
function deref(node, root, seen = []) {
  if (Array.isArray(node))
    return node.map((n) => deref(n, root, seen));
  if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/') && Object.keys(node).length === 1) {
      if (seen.includes(node.$ref))
        return node;
      const target = node.$ref.slice(2).split('/')
        .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce((n, key) => (n === undefined ? undefined : n[key]), root);
      return deref(target, root, [...seen, node.$ref]);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v, root, seen)]));
  }
  return node;
}

const dir = mkdtempSync(join(tmpdir(), 'beatbook-openapi-'));
try {
  const bundled = join(dir, 'bundled.json');
  const bundle = run(['bundle', yamlPath, '--ext', 'json', '-o', bundled]);
  if (bundle.status !== 0) {
    process.stdout.write(bundle.stdout + bundle.stderr);
    console.error('not ok: Redocly CLI cannot bundle the description');
    failed = true;
  } else {
    const theirs = JSON.parse(readFileSync(bundled, 'utf8'));
    const ours = JSON.parse(readFileSync(builtPath, 'utf8'));
    if (!isDeepStrictEqual(deref(theirs, theirs), deref(ours, ours))) {
      console.error(`not ok: ${builtPath} (what the server serves) differs from Redocly's reading of ${yamlPath}: ` +
                    'quote the values YAML 1.1 and 1.2 read differently');
      failed = true;
    } else {
      console.log('ok: the JSON the server serves reads the same as the YAML');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
