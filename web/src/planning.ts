import type { ClosureResult, ExpansionResult, Plan, Region } from "./api";
import { all, escape, get, send, statusOn } from "./api";
import type { WorldMap } from "./map";
import { claimPanel, panel } from "./panel";
import { load, problemText } from "./views";

// Planning view: start an expansion or closure plan (POST /api/v1/plans), follow its progress, draw the result.


/** How often a running plan is asked for its progress. */
const POLL_MS = 2000;
const people = (n: number) => n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString("en");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export async function showPlanning(map: WorldMap, regions: Map<string, Region>, date: string) {
  const current = claimPanel();
  const live = [...regions.values()].filter(r => statusOn(r.history, date) === "Live").sort((a, b) => a.id.localeCompare(b.id));
  panel().innerHTML = "<h2>Plan the footprint</h2><p>Loading…</p>";
  const boundaries = await load(current, async () => (await all<{ id: string }>("/api/v1/boundaries?limit=1000")).map(b => b.id).sort());
  if (boundaries === undefined) return;
  panel().innerHTML = `
    <h2>Plan the footprint</h2>
    <form id="plan-form">
      <label>Plan <select name="kind"><option value="expansion">Where to open next</option><option value="closure">Close a region (what-if)</option></select></label>
      <label>Latency target (ms) <input name="sloMs" type="number" value="50" min="1" max="10000"></label>
      <label data-for="expansion">New sites <input name="add" type="number" value="3" min="1"></label>
      <label data-for="expansion">Objective <select name="objective"><option value="coverage">people within target</option><option value="latency">mean latency</option></select></label>
      <label data-for="expansion">Ownership <select name="ownership"><option>Either</option><option>Owned</option><option>Colocation</option></select></label>
      <label data-for="expansion">Data boundary <select name="boundary"><option value="">the whole world</option>
        ${boundaries.map(b => `<option>${escape(b)}</option>`).join("")}</select></label>
      <label data-for="closure" hidden>Region <select name="region">${live.map(r => `<option value="${escape(r.id)}">${escape(r.id)} (${escape(r.city.replace(/\s*\(.*\)$/, ""))})</option>`).join("")}</select></label>
      <label>Residency <select name="residency"><option>Strict</option><option>Global</option></select></label>
      <button type="submit"${["operator", "admin"].includes(document.body.dataset.role ?? "") ? "" : " disabled title=\"planning needs an operator\""}>Plan</button>
    </form>
    <div id="plan-status" aria-live="polite"></div>
    <div id="plan-result"></div>`;
  const form = document.getElementById("plan-form") as HTMLFormElement;
  const kind = form.elements.namedItem("kind") as HTMLSelectElement;
  const toggle = () => {
    for (const l of form.querySelectorAll<HTMLLabelElement>("label[data-for]")) l.hidden = l.dataset.for !== kind.value;
  };
  kind.addEventListener("change", toggle);
  toggle();
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const f = new FormData(form);
    const body: Record<string, unknown> = { kind: kind.value, sloMs: Number(f.get("sloMs")), residency: f.get("residency"), date };
    if (kind.value === "expansion") {
      Object.assign(body, { add: Number(f.get("add")), objective: f.get("objective"), ownership: f.get("ownership") });
      if (f.get("boundary")) body.boundary = f.get("boundary");
    } else body.region = f.get("region");
    const status = document.getElementById("plan-status")!;
    const out = document.getElementById("plan-result")!;
    out.innerHTML = "";
    map.clearOverlay();
    map.highlight([], "placed");
    map.shade(new Map(), () => "");
    try {
      let plan = await send<Plan>("POST", "/api/v1/plans", body);
      // The poll stops when the view changes; the plan runs on, and GET /api/v1/plans lists it.
      while (current() && (plan.status === "queued" || plan.status === "running")) {
        status.innerHTML = `<label>${escape(plan.stage ?? plan.status)} <progress data-testid="plan-progress" max="1" value="${plan.progress}">${pct(plan.progress)}</progress></label>`;
        await new Promise(r => setTimeout(r, POLL_MS));
        if (!current()) return;
        plan = await get<Plan>(`/api/v1/plans/${encodeURIComponent(plan.id)}`);
      }
      if (!current()) return;
      if (plan.status !== "succeeded") {
        status.innerHTML = `<div class="problem" role="alert">Plan ${escape(plan.id)} ${escape(plan.status)}: ${escape(plan.error?.message ?? "")}</div>`;
        return;
      }
      status.innerHTML = `<p>Plan <code>${escape(plan.id)}</code> done.</p>`;
      if (plan.kind === "expansion") expansion(map, plan.result as ExpansionResult, out);
      else closure(map, plan.result as ClosureResult, out);
    } catch (err) {
      if (current()) status.innerHTML = problemText(err);
    }
  });
}

function expansion(map: WorldMap, r: ExpansionResult, out: HTMLElement) {
  map.markSites(r.sites.map(s => ({ name: `${s.name}, ${s.country}: ${s.ownership}`, lat: s.location.latitude, lon: s.location.longitude })));
  out.innerHTML = `
    <table data-testid="plan-sites"><thead><tr><th>Site</th><th>Ownership</th><th>Serves</th><th>Newly within ${r.sloMs} ms</th></tr></thead>
      <tbody>${r.sites.map(s => `<tr><td>${escape(s.name)}, ${escape(s.country)}</td><td>${escape(s.ownership)}${s.facilities > 1 ? ` ×${s.facilities}` : ""}</td>
        <td>${people(s.servedPopulation)}</td><td>${people(s.newlyWithinTarget)}</td></tr>`).join("")}</tbody></table>
    <table><thead><tr><th></th><th>Before</th><th>After</th></tr></thead><tbody>
      <tr><td>People within ${r.sloMs} ms</td><td>${pct(r.before.shareWithinTarget)}</td><td data-testid="share-after">${pct(r.after.shareWithinTarget)}</td></tr>
      <tr><td>Mean RTT</td><td>${r.before.meanRttMs.toFixed(1)} ms</td><td>${r.after.meanRttMs.toFixed(1)} ms</td></tr></tbody></table>
    <p><small>${escape(r.model)}, ${r.optimal ? "proven optimal" : "best found in the time limit"} in ${r.seconds.toFixed(1)} s; cost ${r.cost.toFixed(1)}.</small></p>`;
}

function closure(map: WorldMap, r: ClosureResult, out: HTMLElement) {
  map.highlight([r.region], "placed");
  const rise = new Map<string, number | null>(r.countries.map(c => [c.country, c.meanAfterMs == null ? null : c.meanAfterMs - c.meanBeforeMs]));
  map.shade(rise, v => `hsl(${Math.max(0, 45 - v * 1.5)}, 85%, ${Math.max(45, 80 - v)}%)`,
    { title: `Mean RTT increase if ${r.region} closes`, min: 0, max: 30, unit: " ms", none: "left with no region" });
  out.innerHTML = `
    <p data-testid="closure-summary">Closing <strong>${escape(r.region)}</strong>: ${people(r.worsePopulation)} people get a worse RTT, by
      ${r.meanIncreaseMs.toFixed(1)} ms on average (at most ${r.maxIncreaseMs.toFixed(1)} ms); ${people(r.newlyOutsideTarget)} fall outside ${r.sloMs} ms;
      ${people(r.losesServicePopulation)} are left with no region their data may go to.</p>
    <table><thead><tr><th>Country</th><th>Worse off</th><th>RTT before</th><th>after</th></tr></thead><tbody>${r.countries.slice(0, 12).map(c =>
      `<tr><td>${escape(c.country)}</td><td>${people(c.population)}</td><td>${c.meanBeforeMs.toFixed(1)}</td><td>${c.meanAfterMs == null ? "no region" : c.meanAfterMs.toFixed(1)}</td></tr>`).join("")}</tbody></table>
    <p>Taken over by: ${r.takeovers.map(t => `${escape(t.region)} (${people(t.population)})`).join(", ") || "none"}</p>`;
}
