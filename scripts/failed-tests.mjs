// Lists the failed tests of a run (every .trx under the results folder, and Vitest's JSON report)
// with the first lines of their messages, so the end of a CI log says what failed, not only how many.
// Usage: node scripts/failed-tests.mjs <results-dir>
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const unescape = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
const firstLines = (s, n) => s.split(/\r?\n/).filter((l) => l.trim() !== "").slice(0, n).map((l) => "    " + l.slice(0, 300));

const files = [];
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(dir);

const failures = [];
for (const file of files.filter((f) => f.endsWith(".trx"))) {
  const xml = readFileSync(file, "utf8");
  // A result is <UnitTestResult ... /> (passed, no output) or <UnitTestResult ...> ... </UnitTestResult>.
  for (const m of xml.matchAll(/<UnitTestResult\b([^>]*?)(?:\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
    const attrs = m[1];
    if (!/\boutcome="Failed"/.test(attrs)) continue;
    const name = unescape((attrs.match(/\btestName="([^"]*)"/) ?? [, "?"])[1]);
    const message = unescape(((m[2] ?? "").match(/<Message>([\s\S]*?)<\/Message>/) ?? [, ""])[1]);
    failures.push({ name, message });
  }
}
const vitest = files.find((f) => f.endsWith("vitest.json"));
if (vitest) {
  const report = JSON.parse(readFileSync(vitest, "utf8"));
  for (const suite of report.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) {
      if (t.status === "failed") failures.push({ name: `web: ${t.fullName}`, message: (t.failureMessages ?? []).join("\n") });
    }
  }
}

if (failures.length > 0) {
  console.log(`Failed tests (${failures.length}):`);
  for (const f of failures) {
    console.log(`  ${f.name}`);
    for (const line of firstLines(f.message, 6)) console.log(line);
  }
}
