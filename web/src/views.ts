import type { CapacityLine, Facility, Problem, Region } from "./api";
import { ApiError, all, escape, get, send, statusOn } from "./api";
import type { WorldMap } from "./map";

const panel = () => document.getElementById("panel")!;

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
    const fields = (p.errors ?? []).map(f => `<li><code>${escape(f.field)}</code>: ${escape(f.message)}</li>`).join("");
    const zones = p.zoneCapacity
      ? `<p>Replicas each zone could take: ${Object.entries(p.zoneCapacity).map(([z, n]) => `${escape(z)} ${n}`).join(", ")}</p>` : "";
    return `<div class="problem" role="alert"><strong>${escape(p.title)}</strong><p>${escape(p.detail)}</p><ul>${fields}</ul>${zones}</div>`;
  }
  return `<div class="problem" role="alert">${escape(String(e))}</div>`;
}

/** Region view: zones, facilities (ownership, history, on-site support), services and capacity bars. */
export async function showRegion(region: Region, date: string) {
  panel().innerHTML = `<h2>${escape(region.name)}</h2><p>Loading ${escape(region.id)}…</p>`;
  try {
    const [facilities, capacity] = await Promise.all([
      all<Facility>(`/api/v1/facilities?region=${encodeURIComponent(region.id)}&limit=1000`),
      get<{ all: CapacityLine }>(`/api/v1/capacity?region=${encodeURIComponent(region.id)}`),
    ]);
    const c = capacity.all;
    panel().innerHTML = `
      <h2 data-testid="region-title">${escape(region.id)} <small>${escape(region.name)}</small></h2>
      <p>${escape(region.city)}, ${escape(region.country)} · ${badge(statusOn(region.history, date))} on ${date}</p>
      <h3>History</h3>
      <ol class="history">${region.history.map(e => `<li>${e.on}${e.estimated ? " (est.)" : ""}: ${badge(e.status)} ${escape(e.note ?? "")}</li>`).join("")}</ol>
      <h3>Zones</h3>
      <ul class="chips">${region.zones.map(z => `<li>${escape(z.id)} ${badge(z.status)}</li>`).join("") || "<li>none</li>"}</ul>
      <h3>Facilities</h3>
      <ul class="facilities">${facilities.map(f => `<li><strong>${escape(f.name)}</strong> ${badge(statusOn(f.history, date))}
        <br><small>${escape(f.ownership)}${f.zoneId ? ` · zone ${escape(f.zoneId)}` : " · serves the region"}${
          f.support ? ` · on site ${escape(f.support.hours)}: ${escape(f.support.roles.join(", "))}` : ""}
        <br>${f.history.map(e => `${e.on}${e.estimated ? "~" : ""} ${e.status}`).join(" → ")}</small></li>`).join("") || "<li>none</li>"}</ul>
      <h3>Services</h3>
      <ul class="chips">${region.services.map(s => `<li>${escape(s)}</li>`).join("")}</ul>
      <h3>Capacity (hosts in service: ${c.hosts})</h3>
      ${bar("vCPU", c.used.vcpu, c.total.vcpu, "")}${bar("Memory", c.used.memoryGiB, c.total.memoryGiB, "GiB")}${bar("GPUs", c.used.gpus, c.total.gpus, "")}`;
  } catch (e) {
    panel().innerHTML = problemText(e);
  }
}

/** Placement view: a form for a workload; the result is drawn on the map, errors are shown in words. */
export function showPlacement(map: WorldMap, regions: Map<string, Region>) {
  // Admins place for any tenant, members for their own; viewers and operators see the form but may not send it.
  const role = document.body.dataset.role;
  const tenant = document.body.dataset.tenant || "acme";
  const mayPlace = role === "admin" || role === "member";
  panel().innerHTML = `
    <h2>Place a workload</h2>
    <form id="place-form">
      <label>Tenant <input name="tenant" value="${escape(tenant)}" required${role === "member" ? " readonly" : ""}></label>
      <label>Name <input name="name" value="qwen-eu-${Date.now() % 10000}" required></label>
      <label>Replicas <input name="replicas" type="number" value="6" min="1"></label>
      <label>vCPU <input name="vcpu" type="number" value="8" step="0.5" min="0"></label>
      <label>Memory GiB <input name="memoryGiB" type="number" value="32" min="0"></label>
      <label>GPUs <input name="gpus" type="number" value="1" min="0"></label>
      <label>Data boundary <select name="boundary"><option value="">anywhere</option>
        ${["EU", "UK", "US", "CN", "HK", "ASEAN", "ME"].map(b => `<option${b === "EU" ? " selected" : ""}>${b}</option>`).join("")}</select></label>
      <label>Min zones <input name="minZones" type="number" value="3" min="1"></label>
      <label>Max skew <input name="maxSkew" type="number" value="1" min="1"></label>
      <label>Strategy <select name="strategy"><option>Spread</option><option>Pack</option></select></label>
      <button type="submit"${mayPlace ? "" : ` disabled title="a ${escape(role ?? "")} may not place workloads"`}>Place</button>
    </form>
    <div id="place-result" aria-live="polite"></div>`;
  const form = document.getElementById("place-form") as HTMLFormElement;
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const f = new FormData(form);
    const n = (k: string) => Number(f.get(k));
    const body = {
      tenant: f.get("tenant"), name: f.get("name"), replicas: n("replicas"), strategy: f.get("strategy"),
      resources: { vcpu: n("vcpu"), memoryGiB: n("memoryGiB"), gpus: n("gpus") },
      constraints: { ...(f.get("boundary") ? { boundary: f.get("boundary") } : {}), spread: { minZones: n("minZones"), maxSkew: n("maxSkew") } },
    };
    const out = document.getElementById("place-result")!;
    try {
      const w = await send<{ id: string; allocations: { replica: number; host: string; zone: string; region: string }[] }>("POST", "/api/v1/workloads", body);
      const used = [...new Set(w.allocations.map(a => a.region))];
      map.highlight(used, "placed");
      out.innerHTML = `<p data-testid="placed">Placed <strong>${escape(w.id)}</strong>: ${w.allocations.length} replicas in
        ${new Set(w.allocations.map(a => a.zone)).size} zones of ${used.map(r => escape(regions.get(r)?.name ?? r)).join(", ")}.</p>
        <table><thead><tr><th>Replica</th><th>Zone</th><th>Host</th></tr></thead><tbody>${w.allocations.map(a =>
          `<tr data-region="${escape(a.region)}"><td>${a.replica}</td><td>${escape(a.zone)}</td><td>${escape(a.host)}</td></tr>`).join("")}</tbody></table>`;
    } catch (err) {
      map.highlight([], "placed");
      out.innerHTML = problemText(err);
    }
  });
}

/** Steering view: click the map to see the region chosen for a service; optionally shade countries by RTT. */
export function showSteering(map: WorldMap, regions: Map<string, Region>) {
  panel().innerHTML = `
    <h2>Steering</h2>
    <label>Service <select id="steer-service">
      ${["qwen3-max", "compute", "gpu-compute", "ml-platform", "analytics"].map(s => `<option>${s}</option>`).join("")}</select></label>
    <label>Policy <select id="steer-policy"><option value="">service default</option><option>strict</option><option>preferred</option><option>global</option></select></label>
    <p>Click anywhere on the map.</p>
    <button type="button" id="shade">Shade countries by RTT to their best region</button>
    <div id="steer-result" aria-live="polite"></div>`;
  document.getElementById("shade")!.addEventListener("click", () => shade(map));
}

export async function route(map: WorldMap, regions: Map<string, Region>, lat: number, lon: number, country: string | null, name: string | null) {
  const out = document.getElementById("steer-result");
  if (!out) return;
  if (!country) {
    out.innerHTML = `<p>No country at ${lat.toFixed(2)}, ${lon.toFixed(2)}: click on land.</p>`;
    return;
  }
  const service = (document.getElementById("steer-service") as HTMLSelectElement).value;
  const policy = (document.getElementById("steer-policy") as HTMLSelectElement).value;
  try {
    const d = await get<{ region: string; rttMs: number; policy: string; alternatives: { region: string; rttMs: number }[]; exclusions: { region: string; reason: string }[] }>(
      `/api/v1/route?service=${service}&lat=${lat.toFixed(4)}&lon=${lon.toFixed(4)}&country=${country}${policy ? `&policy=${policy}` : ""}`);
    const chosen = regions.get(d.region);
    if (chosen) map.drawRoute(lat, lon, chosen);
    out.innerHTML = `<p data-testid="route">A client in ${escape(name ?? country)} reaches <strong>${escape(d.region)}</strong>
      in about ${d.rttMs.toFixed(0)} ms (${escape(d.policy)} policy).</p>
      <h3>Alternatives</h3>${d.alternatives.length ? `<ol>${d.alternatives.map(a => `<li>${escape(a.region)}: ${a.rttMs.toFixed(0)} ms</li>`).join("")}</ol>` : "<p>none the policy allows</p>"}
      <details><summary>${d.exclusions.length} regions excluded</summary><ul>${d.exclusions.map(x => `<li>${escape(x.region)}: ${escape(x.reason)}</li>`).join("")}</ul></details>`;
  } catch (e) {
    map.clearOverlay();
    out.innerHTML = problemText(e);
  }
}

async function shade(map: WorldMap) {
  const service = (document.getElementById("steer-service") as HTMLSelectElement).value;
  const values = new Map<string, number | null>();
  const button = document.getElementById("shade") as HTMLButtonElement;
  button.disabled = true;
  const points = map.countryCentroids();
  let done = 0;
  await Promise.all(points.map(async p => {
    try {
      const d = await get<{ rttMs: number }>(`/api/v1/route?service=${service}&lat=${p.lat.toFixed(3)}&lon=${p.lon.toFixed(3)}&country=${p.code}`);
      values.set(p.code, d.rttMs);
    } catch {
      values.set(p.code, null);
    }
    button.textContent = `Shading… ${++done}/${points.length}`;
  }));
  map.shade(values, v => `hsl(${Math.max(0, 120 - v * 0.6).toFixed(0)}, 60%, ${(80 - Math.min(v, 250) / 10).toFixed(0)}%)`);
  button.textContent = "Shade countries by RTT to their best region";
  button.disabled = false;
}

/** Change-log view. */
export async function showChanges() {
  panel().innerHTML = "<h2>Change log</h2><p>Loading…</p>";
  try {
    const page = await get<{ items: { seq: number; at: string; actor: string; action: string; kind: string; id: string }[] }>("/api/v1/changes?limit=100");
    panel().innerHTML = `<h2>Change log</h2><table data-testid="changes"><thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th></tr></thead><tbody>${
      page.items.map(c => `<tr><td>${c.seq}</td><td>${escape(c.at.slice(0, 19).replace("T", " "))}</td><td>${escape(c.actor)}</td>
        <td>${escape(c.action)} ${escape(c.kind)}/${escape(c.id)}</td></tr>`).join("")}</tbody></table>`;
  } catch (e) {
    panel().innerHTML = problemText(e);
  }
}
