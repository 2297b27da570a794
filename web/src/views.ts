import type { CapacityLine, Facility, Problem, Region, Workload } from "./api";
import { ApiError, all, escape, get, send, statusOn } from "./api";
import type { MapPoint, WorldMap } from "./map";
import { claimPanel, latest, panel } from "./panel";

function badge(status: string | null | undefined): string {
  return `<span class="badge ${status ?? "none"}">${status ?? "not yet"}</span>`;
}

function bar(label: string, used: number, total: number, unit: string): string {
  const share = total > 0 ? Math.min(100, (100 * used) / total) : 0;
  return `<div class="bar" role="img" aria-label="${label}: ${used.toFixed(0)} of ${total.toFixed(0)} ${unit} used">
    <span class="bar-label">${label}</span><span class="bar-track"><span class="bar-fill" style="width:${share.toFixed(1)}%"></span></span>
    <span class="bar-value">${used.toFixed(0)} / ${total.toFixed(0)} ${unit}</span></div>`;
}

export function problemText(e: unknown): string {
  if (e instanceof ApiError) {
    const p: Problem = e.problem;
    // A refusal often says the same thing as its title, its detail and its one field error: say it once.
    const said = new Set([p.title]);
    const detail = p.detail && !said.has(p.detail) ? `<p>${escape(p.detail)}</p>` : "";
    said.add(p.detail);
    const fields = (p.errors ?? []).map(f => said.has(f.message)
      ? `<li>Field <code>${escape(f.field)}</code></li>` : `<li><code>${escape(f.field)}</code>: ${escape(f.message)}</li>`).join("");
    const zones = p.zoneCapacity
      ? `<p>Replicas each zone could take: ${Object.entries(p.zoneCapacity).map(([z, n]) => `${escape(z)} ${n}`).join(", ")}</p>` : "";
    return `<div class="problem" role="alert"><strong>${escape(p.title)}</strong>${detail}${fields ? `<ul>${fields}</ul>` : ""}${zones}</div>`;
  }
  return `<div class="problem" role="alert">${escape(String(e))}</div>`;
}

/** Region view: zones, facilities (ownership, history, on-site support), services and capacity bars. */
export async function showRegion(region: Region, date: string) {
  const current = claimPanel();
  panel().innerHTML = `<h2>${escape(region.name)}</h2><p>Loading ${escape(region.id)}…</p>`;
  try {
    const [facilities, capacity] = await Promise.all([
      all<Facility>(`/api/v1/facilities?region=${encodeURIComponent(region.id)}&limit=1000`),
      get<{ all: CapacityLine }>(`/api/v1/capacity?region=${encodeURIComponent(region.id)}`),
    ]);
    if (!current()) return;
    const c = capacity.all;
    panel().innerHTML = `
      <h2 data-testid="region-title">${escape(region.id)} <small>${escape(region.name)}</small></h2>
      <p>${escape(region.city)}, ${escape(region.country)} · ${badge(statusOn(region.history, date))} on ${date}</p>
      <h3>History</h3>
      <ol class="history">${region.history.map(e => `<li>${e.on}${e.estimated ? " (est.)" : ""}: ${badge(e.status)} ${escape(e.note ?? "")}</li>`).join("")}</ol>
      <h3>Zones</h3>
      <ul class="chips">${(region.zones ?? []).map(z => `<li>${escape(z.id)} ${badge(z.status)}</li>`).join("") || "<li>none</li>"}</ul>
      <h3>Facilities</h3>
      <ul class="facilities">${facilities.map(f => `<li><strong>${escape(f.name)}</strong> ${badge(statusOn(f.history, date))}
        <br><small>${escape(f.ownership)}${f.zoneId ? ` · zone ${escape(f.zoneId)}` : " · serves the region"}${
          f.support ? ` · on site ${escape(f.support.hours)}: ${escape(f.support.roles.join(", "))}` : ""}
        <br>${f.history.map(e => `${e.on}${e.estimated ? "~" : ""} ${e.status}`).join(" → ")}</small></li>`).join("") || "<li>none</li>"}</ul>
      <h3>Services</h3>
      <ul class="chips">${region.services.map(s => `<li>${escape(s)}</li>`).join("")}</ul>
      <h3>Capacity (hosts in service: ${c.hosts})</h3>
      ${bar("vCPU", c.used.vcpu, c.total.vcpu, "")}${bar("Memory", c.used.memoryGiB, c.total.memoryGiB, "GiB")}${bar("GPUs", c.used.gpus, c.total.gpus, "")}
      <p data-testid="stranded">${c.strandedGpus > 0
        ? `<strong>${+c.strandedGpus.toFixed(2)} GPUs stranded</strong>: free, on hosts where no task of the workloads placed now fits.`
        : "No GPUs stranded: every free GPU is on a host where a task of the workloads placed now still fits."}</p>`;
  } catch (e) {
    if (current()) panel().innerHTML = problemText(e);
  }
}

/** What a view needs before it draws: undefined when it failed (the panel then says why) or the view has since changed. */
export async function load<T>(current: () => boolean, work: () => Promise<T>): Promise<T | undefined> {
  try {
    const value = await work();
    return current() ? value : undefined;
  } catch (e) {
    if (current()) panel().innerHTML = problemText(e);
    return undefined;
  }
}

/** The ids of a registry kind (services, boundaries), or null when this caller may not list them. */
async function ids(kind: string): Promise<string[] | null> {
  try {
    return (await all<{ id: string }>(`/api/v1/${kind}?limit=1000`)).map(x => x.id).sort();
  } catch (e) {
    if (e instanceof ApiError && e.problem.status === 403) return null;
    throw e;
  }
}

/** Placement view: a form for a workload; the result is drawn on the map, errors are shown in words. */
export async function showPlacement(map: WorldMap, regions: Map<string, Region>) {
  const current = claimPanel();
  // Admins place for any tenant, members for their own; viewers and operators see the form but may not send it.
  const role = document.body.dataset.role;
  const tenant = document.body.dataset.tenant || "acme";
  const mayPlace = role === "admin" || role === "member";
  panel().innerHTML = "<h2>Place a workload</h2><p>Loading…</p>";
  const boundaries = await load(current, () => ids("boundaries"));
  if (boundaries === undefined) return;
  // A member may not list boundaries: the field is then typed, and the server says when a name is unknown.
  const boundaryField = boundaries
    ? `<select name="boundary"><option value="">anywhere</option>${boundaries.map(b => `<option${b === "EU" ? " selected" : ""}>${escape(b)}</option>`).join("")}</select>`
    : `<input name="boundary" placeholder="anywhere" autocomplete="off">`;
  panel().innerHTML = `
    <h2>Place a workload</h2>
    <form id="place-form">
      <label>Tenant <input name="tenant" value="${escape(tenant)}" required${role === "member" ? " readonly" : ""}></label>
      <label>Name <input name="name" value="qwen-eu-${Date.now() % 10000}" required></label>
      <label>Replicas <input name="replicas" type="number" value="6" min="1"></label>
      <label>vCPU <input name="vcpu" type="number" value="8" step="0.5" min="0"></label>
      <label>Memory GiB <input name="memoryGiB" type="number" value="32" min="0"></label>
      <label>GPUs <input name="gpus" type="number" value="1" min="0"></label>
      <label>Share of each GPU <input name="gpuShare" type="number" value="1" step="0.05" min="0.05" max="1"></label>
      <label>Data boundary ${boundaryField}</label>
      <label>Min zones <input name="minZones" type="number" value="3" min="1"></label>
      <label>Max skew <input name="maxSkew" type="number" value="1" min="1"></label>
      <label>Strategy <select name="strategy">
        <option value="">Default (fragmentation-aware for GPUs)</option>
        <option value="Fragmentation">Fragmentation-aware</option>
        <option value="Spread">Spread</option>
        <option value="Pack">Pack</option>
      </select></label>
      <button type="submit"${mayPlace ? "" : ` disabled title="a ${escape(role ?? "")} may not place workloads"`}>Place</button>
    </form>
    <div id="place-result" aria-live="polite"></div>`;
  const form = document.getElementById("place-form") as HTMLFormElement;
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const f = new FormData(form);
    const n = (k: string) => Number(f.get(k));
    const body = {
      tenant: f.get("tenant"), name: f.get("name"), replicas: n("replicas"), ...(f.get("strategy") ? { strategy: f.get("strategy") } : {}),
      resources: { vcpu: n("vcpu"), memoryGiB: n("memoryGiB"), gpus: n("gpus"), ...(n("gpus") === 1 && n("gpuShare") < 1 ? { gpuShare: n("gpuShare") } : {}) },
      constraints: { ...(f.get("boundary") ? { boundary: f.get("boundary") } : {}), spread: { minZones: n("minZones"), maxSkew: n("maxSkew") } },
    };
    const out = document.getElementById("place-result")!;
    try {
      const w = await send<Workload>("POST", "/api/v1/workloads", body);
      if (!current()) return;
      const used = [...new Set(w.allocations.map(a => a.region))];
      map.highlight(used, "placed");
      out.innerHTML = `<p data-testid="placed">Placed <strong>${escape(w.id)}</strong>: ${w.allocations.length} replicas in
        ${new Set(w.allocations.map(a => a.zone)).size} zones of ${used.map(r => escape(regions.get(r)?.name ?? r)).join(", ")}
        (strategy <span data-testid="strategy">${escape(w.strategy)}</span>).</p>
        <table><thead><tr><th>Replica</th><th>Zone</th><th>Host</th></tr></thead><tbody>${w.allocations.map(a =>
          `<tr data-region="${escape(a.region)}"><td>${a.replica}</td><td>${escape(a.zone)}</td><td>${escape(a.host)}</td></tr>`).join("")}</tbody></table>`;
    } catch (err) {
      if (!current()) return;
      map.highlight([], "placed");
      out.innerHTML = problemText(err);
    }
  });
}

/** Steering view: click the map to see the region chosen for a service; optionally shade countries by RTT. */
export async function showSteering(map: WorldMap) {
  const current = claimPanel();
  panel().innerHTML = "<h2>Steering</h2><p>Loading…</p>";
  const services = await load(current, () => ids("services"));
  if (services === undefined) return;
  panel().innerHTML = `
    <h2>Steering</h2>
    <label>Service <select id="steer-service">
      ${(services ?? []).map(s => `<option${s === "qwen3-max" ? " selected" : ""}>${escape(s)}</option>`).join("")}</select></label>
    <label>Policy <select id="steer-policy"><option value="">service default</option><option>strict</option><option>preferred</option><option>global</option></select></label>
    <p>Click anywhere on the map: a click at sea routes a client of the nearest country from that point.</p>
    <button type="button" id="shade">Shade countries by RTT to their best region</button>
    <div id="steer-result" aria-live="polite"></div>`;
  document.getElementById("shade")!.addEventListener("click", () => void shade(map, current));
}

const nextRoute = latest();

export async function route(map: WorldMap, regions: Map<string, Region>, p: MapPoint) {
  const out = document.getElementById("steer-result");
  if (!out) return;
  const current = nextRoute();
  map.clearOverlay();
  if (!p.country) {
    out.innerHTML = `<p>No country near ${p.lat.toFixed(2)}, ${p.lon.toFixed(2)}.</p>`;
    return;
  }
  const service = (document.getElementById("steer-service") as HTMLSelectElement).value;
  const policy = (document.getElementById("steer-policy") as HTMLSelectElement).value;
  const query = new URLSearchParams({ service, lat: p.lat.toFixed(4), lon: p.lon.toFixed(4), country: p.country });
  if (policy) query.set("policy", policy);
  const where = p.offshoreKm > 0
    ? `at sea ${p.lat.toFixed(2)}, ${p.lon.toFixed(2)}, counted as ${escape(p.name ?? p.country)} (nearest country, ${p.offshoreKm.toFixed(0)} km away),`
    : `in ${escape(p.name ?? p.country)}`;
  try {
    const d = await get<{ region: string; rttMs: number; policy: string; alternatives: { region: string; rttMs: number }[]; exclusions: { region: string; reason: string }[] }>(
      `/api/v1/route?${query}`);
    if (!current() || !out.isConnected) return;
    const chosen = regions.get(d.region);
    if (chosen) map.drawRoute(p.lat, p.lon, chosen);
    out.innerHTML = `<p data-testid="route">A client ${where} reaches <strong>${escape(d.region)}</strong>
      in about ${d.rttMs.toFixed(0)} ms (${escape(d.policy)} policy).</p>
      <h3>Alternatives</h3>${d.alternatives.length ? `<ol>${d.alternatives.map(a => `<li>${escape(a.region)}: ${a.rttMs.toFixed(0)} ms</li>`).join("")}</ol>` : "<p>none the policy allows</p>"}
      <details><summary>${d.exclusions.length} regions excluded</summary><ul>${d.exclusions.map(x => `<li>${escape(x.region)}: ${escape(x.reason)}</li>`).join("")}</ul></details>`;
  } catch (e) {
    if (!current() || !out.isConnected) return;
    map.clearOverlay();
    out.innerHTML = problemText(e);
  }
}

async function shade(map: WorldMap, current: () => boolean) {
  const service = (document.getElementById("steer-service") as HTMLSelectElement).value;
  const values = new Map<string, number | null>();
  const button = document.getElementById("shade") as HTMLButtonElement;
  button.disabled = true;
  const points = map.countryCentroids();
  let done = 0;
  await Promise.all(points.map(async p => {
    try {
      const query = new URLSearchParams({ service, lat: p.lat.toFixed(3), lon: p.lon.toFixed(3), country: p.code });
      const d = await get<{ rttMs: number }>(`/api/v1/route?${query}`);
      values.set(p.code, d.rttMs);
    } catch {
      values.set(p.code, null);
    }
    button.textContent = `Shading… ${++done}/${points.length}`;
  }));
  if (!current()) return;
  map.shade(values, v => `hsl(${Math.max(0, 120 - v * 0.6).toFixed(0)}, 60%, ${(80 - Math.min(v, 250) / 10).toFixed(0)}%)`,
    { title: `RTT to the best region for ${service}`, min: 0, max: 200, unit: " ms", none: "no region the policy allows" });
  button.textContent = "Shade countries by RTT to their best region";
  button.disabled = false;
}

/** Change-log view. */
export async function showChanges() {
  const current = claimPanel();
  panel().innerHTML = "<h2>Change log</h2><p>Loading…</p>";
  try {
    const page = await get<{ items: { seq: number; at: string; actor: string; action: string; kind: string; id: string }[] }>("/api/v1/changes?limit=100");
    if (!current()) return;
    panel().innerHTML = `<h2>Change log</h2><table data-testid="changes"><thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th></tr></thead><tbody>${
      page.items.map(c => `<tr><td>${c.seq}</td><td>${escape(c.at.slice(0, 19).replace("T", " "))}</td><td>${escape(c.actor)}</td>
        <td>${escape(c.action)} ${escape(c.kind)}/${escape(c.id)}</td></tr>`).join("")}</tbody></table>`;
  } catch (e) {
    if (current()) panel().innerHTML = problemText(e);
  }
}
