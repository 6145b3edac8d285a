// The `tuneconf runs CONFIG --html` page of the runs the trusted phase made (issue 15): opened in the same
// headless Chromium as the editor, screenshotted, and checked: each run's loss curve has one point per step
// the runs table says it logged. Usage: node report_page.js PAGE.html SHOT.png (NODE_PATH: playwright-core).
"use strict";
const { chromium } = require("playwright-core");

(async () => {
  const [page, shot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await tab.goto(`file://${page}`);
    const seen = await tab.evaluate(() => {
      const header = [...document.querySelectorAll("thead th")].map((th) => th.textContent);
      const column = header.indexOf("steps");
      const steps = [...document.querySelectorAll("tbody tr")].map((tr) => Number(tr.children[column].textContent));
      const loss = [...document.querySelectorAll("h2")].find((h) => h.textContent === "loss");
      const svg = loss ? loss.nextElementSibling : null;
      const points = svg ? [...svg.querySelectorAll("polyline")].map((p) => p.getAttribute("points").trim().split(/ +/).length) : [];
      return { header, steps, points };
    });
    await tab.screenshot({ path: shot, fullPage: true });
    const charted = seen.steps.slice(0, seen.points.length);
    const ok = seen.points.length > 0 && seen.points.every((n, i) => n === charted[i]);
    console.log(`   ${ok ? "PASS" : "FAIL"} tuneconf runs --html: loss points per run ${JSON.stringify(seen.points)}, steps logged ${JSON.stringify(seen.steps)}; ${shot}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(`   FAIL tuneconf runs --html: ${error}`);
  process.exit(1);
});
