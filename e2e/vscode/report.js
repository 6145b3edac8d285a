// Prints a suite report (written by the driver extension) and exits 1 unless every scenario passed.
// usage: node report.js REPORT.json
"use strict";
const fs = require("fs");

const report = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const short = (value) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};
console.log(`   VS Code ${report.vscode}, workspace ${report.trusted ? "trusted" : "untrusted (Restricted Mode)"}, suite ${report.suite}: ` +
  `${report.ok ? "PASSED" : "FAILED"} in ${report.seconds} s`);
if (report.error) {
  console.log(`   suite error: ${report.error}`);
}
for (const scenario of report.scenarios) {
  console.log(`   ${scenario.ok ? "PASS" : "FAIL"} [${scenario.seconds.toFixed(1)} s] ${scenario.index}. ${scenario.name}`);
  for (const check of scenario.checks) {
    console.log(`        ${check.ok ? "ok  " : "FAIL"} ${check.name}${check.ok || check.detail === undefined ? "" : `: ${short(check.detail)}`}`);
  }
  if (scenario.error) {
    console.log(`        error: ${scenario.error.split("\n").slice(0, 4).join("\n               ")}`);
  }
  for (const file of scenario.screenshots) {
    console.log(`        screenshot: ${file}`);
  }
}
process.exit(report.ok ? 0 : 1);
