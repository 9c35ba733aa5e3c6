// Fails the build when the console's source parses strings as HTML: all
// data is untrusted, and src/dom.ts builds the page with DOM calls only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const forbidden = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser)\b/;
const problems = [];
for (const entry of fs.readdirSync(src, { recursive: true })) {
  const file = path.join(src, entry);
  if (!/\.(ts|js)$/.test(file)) continue;
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (forbidden.test(line) && !line.trim().startsWith('//')) problems.push(`${file}:${i + 1}: ${line.trim()}`);
  });
}
if (problems.length) {
  console.error(`HTML parsing of strings is not allowed in the console (use src/dom.ts):\n${problems.join('\n')}`);
  process.exit(1);
}
