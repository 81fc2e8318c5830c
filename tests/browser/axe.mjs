// axe-core (npm, installed by scripts/browser-test) run on the page as it
// stands: the serious and critical violations, each as "rule: target (help)".
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(`${process.env.PW_PREFIX}/node_modules/`);
const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function axeViolations(page) {
  // Evaluated over the DevTools protocol: the page's CSP does not apply.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(", ")} — ${v.help}`);
}
