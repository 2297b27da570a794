import "./style.css";
import type { Facility, Me, Region, Role, Workload } from "./api";
import { all, ApiError, covers, escape, get, session } from "./api";
import { follow } from "./live";
import { STATUS_COLOURS, STATUS_LABELS, WorldMap } from "./map";
import { claimPanel, panel } from "./panel";
import { CapacityLayer } from "./capacity";
import { showPlanning } from "./planning";
import { showTenants } from "./tenants";
import { problemText, route, showChanges, showPlacement, showRegion, showSteering } from "./views";

type View = "world" | "place" | "steer" | "plan" | "tenants" | "changes";

const FIRST = new Date(Date.UTC(2011, 0, 1));
const today = new Date().toISOString().slice(0, 10);
const lastMonth = (() => { const d = new Date(); return (d.getUTCFullYear() + 1 - 2011) * 12 + d.getUTCMonth(); })();

let view: View = "world";
let date = today;
const regionsById = new Map<string, Region>();

const map = new WorldMap(document.getElementById("map") as unknown as SVGSVGElement, {
  onRegion: r => { if (view === "world" || view === "place") openRegion(r); },
  onPoint: p => { if (view === "steer") void route(map, regionsById, p); },
});

const capacity = new CapacityLayer(map, document.getElementById("capacity-legend")!, document.getElementById("legend")!);

// The browser tests find points on the map through it.
Object.assign(window, { meridianMap: map });

function monthToDate(month: number): string {
  const d = new Date(FIRST);
  d.setUTCMonth(d.getUTCMonth() + month);
  const iso = d.toISOString().slice(0, 10);
  return iso > today ? today : iso;
}

function setDate(value: string) {
  date = value;
  document.getElementById("as-of-label")!.textContent = date;
  map.showDate(date);
}

function setupTimeline() {
  const slider = document.getElementById("as-of") as HTMLInputElement;
  slider.max = String(lastMonth);
  slider.value = String(lastMonth);
  slider.setAttribute("aria-valuetext", today);
  slider.addEventListener("input", () => {
    const value = Number(slider.value) >= lastMonth ? today : monthToDate(Number(slider.value));
    slider.setAttribute("aria-valuetext", value);
    setDate(value);
  });
  const play = document.getElementById("play") as HTMLButtonElement;
  let timer: number | undefined;
  play.addEventListener("click", () => {
    if (timer) { clearInterval(timer); timer = undefined; play.textContent = "Replay"; return; }
    slider.value = "0";
    play.textContent = "Stop";
    timer = window.setInterval(() => {
      const next = Number(slider.value) + 2;
      slider.value = String(Math.min(next, lastMonth));
      slider.dispatchEvent(new Event("input"));
      if (next >= lastMonth) { clearInterval(timer); timer = undefined; play.textContent = "Replay"; }
    }, 120);
  });
}

function setupLegend() {
  document.getElementById("legend")!.innerHTML = Object.entries(STATUS_COLOURS)
    .map(([status, colour]) => `<li><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="${colour}"/></svg>${STATUS_LABELS[status as keyof typeof STATUS_LABELS]}</li>`)
    .join("") + `<li><svg width="14" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="none" stroke="#5b2a86" stroke-width="2.5"/></svg>N replicas running</li>` +
    `<li><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="6" fill="#14213d"/><text x="7" y="10" font-size="8" fill="#fff" text-anchor="middle">3</text></svg>regions close together (zoom in)</li>`;
}

/** Zoom buttons, and keys while the map has focus: + and − zoom, arrows pan, 0 shows the whole world. */
function setupZoom() {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#zoom button")) {
    b.addEventListener("click", () => {
      if (b.dataset.zoom === "in") map.zoomBy(2);
      else if (b.dataset.zoom === "out") map.zoomBy(0.5);
      else map.resetZoom();
    });
  }
  map.svg.addEventListener("keydown", e => {
    if (e.target !== map.svg) return;
    const step = 60;
    const keys: Record<string, () => void> = {
      "+": () => map.zoomBy(2), "=": () => map.zoomBy(2), "-": () => map.zoomBy(0.5), "0": () => map.resetZoom(),
      ArrowLeft: () => map.panBy(step, 0), ArrowRight: () => map.panBy(-step, 0), ArrowUp: () => map.panBy(0, step), ArrowDown: () => map.panBy(0, -step),
    };
    const act = keys[e.key];
    if (act) { e.preventDefault(); act(); }
  });
}

/** The read-only view open in the panel, redrawn when workloads change (the region's capacity, tenants' usage). */
let following: (() => void) | null = null;
let redraw: number | undefined;
const REDRAW_MS = 3000;

function follows(draw: () => void) {
  following = draw;
  draw();
}

window.addEventListener("meridian:change", () => {
  if (!following || redraw !== undefined) return;
  // At most one redraw every few seconds, however many workloads change.
  redraw = window.setTimeout(() => { redraw = undefined; following?.(); }, REDRAW_MS);
});

function openRegion(r: Region) {
  follows(() => void showRegion(r, date));
}

function setView(next: View) {
  view = next;
  following = null;
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.setAttribute("aria-pressed", String(b.dataset.view === next));
  map.clearOverlay();
  map.highlight([], "placed");
  map.shade(new Map(), () => "");
  if (next === "world") worldPanel();
  if (next === "place") void showPlacement(map, regionsById);
  if (next === "steer") void showSteering(map);
  if (next === "plan") void showPlanning(map, regionsById, date);
  if (next === "tenants") follows(() => void showTenants());
  if (next === "changes") void showChanges();
}

function worldPanel() {
  claimPanel();
  const regions = [...regionsById.values()];
  const live = regions.filter(r => r.status === "Live").length;
  panel().innerHTML = `<h2>Footprint</h2>
    <p>${regions.length} regions, ${live} live today. Click a region for its zones, facilities, services and capacity;
    move the slider to replay the footprint through time.</p>
    <ul class="region-list">${regions.sort((a, b) => a.name.localeCompare(b.name))
      .map(r => `<li><button type="button" data-open="${escape(r.id)}">${escape(r.name)}</button></li>`).join("")}</ul>`;
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-open]"))
    b.addEventListener("click", () => openRegion(regionsById.get(b.dataset.open!)!));
}

/** The regions each workload's replicas run in, kept current from the watch stream. */
const workloadRegions = new Map<string, string[]>();

function showWorkloads() {
  const replicas = new Map<string, number>();
  for (const regions of workloadRegions.values()) for (const r of regions) replicas.set(r, (replicas.get(r) ?? 0) + 1);
  map.setWorkloads(replicas);
}

/** Loads every workload, then follows their changes from the log's position before the load: a change in between is
 * seen twice, which is harmless, as each change sets or removes a workload whole. */
async function loadWorkloads(): Promise<number> {
  const head = (await get<{ items: { seq: number }[] }>("/api/v1/changes?limit=1")).items[0]?.seq ?? 0;
  const workloads = await all<Workload>("/api/v1/workloads?limit=1000");
  workloadRegions.clear();
  for (const w of workloads) workloadRegions.set(w.id, w.allocations.map(a => a.region));
  showWorkloads();
  return head;
}

function liveWorkloads(since: number) {
  const status = document.getElementById("live")!;
  void follow("workloads", since, {
    change: c => {
      const after = c.after as { allocations?: { regionId: string }[] } | null;
      if (after?.allocations) workloadRegions.set(c.id, after.allocations.map(a => a.regionId));
      else workloadRegions.delete(c.id);
      showWorkloads();
      capacity.changed();
      window.dispatchEvent(new CustomEvent("meridian:change", { detail: c }));
    },
    reset: loadWorkloads,
    state: s => {
      status.dataset.state = s;
      status.textContent = s === "live" ? "● live" : "○ reconnecting…";
      status.title = s === "live" ? "Following the change log: the map updates as workloads are placed and removed" : "The change stream dropped; reconnecting";
    },
  }, new AbortController().signal);
}

/** The views each role may open; the server refuses the rest anyway. */
const VIEWS: Record<View, Role[]> = {
  world: ["viewer"], place: ["viewer", "member"], steer: ["viewer"], plan: ["viewer"], tenants: ["viewer", "member"], changes: ["viewer"],
};

/** Asks for a token until one works; returns who it belongs to. */
async function login(): Promise<Me> {
  if (session.token()) {
    try { return await get<Me>("/api/v1/me"); } catch { session.clear(); }
  }
  const dialog = document.getElementById("login") as HTMLDialogElement;
  const form = document.getElementById("login-form") as HTMLFormElement;
  const error = document.getElementById("login-error")!;
  dialog.showModal();
  return new Promise(resolve => {
    form.addEventListener("submit", async e => {
      e.preventDefault();
      session.set(String(new FormData(form).get("token") ?? "").trim());
      try {
        const me = await get<Me>("/api/v1/me");
        dialog.close();
        form.reset();
        resolve(me);
      } catch (err) {
        session.clear();
        error.textContent = err instanceof ApiError ? err.problem.detail : String(err);
      }
    });
  });
}

function showWho(me: Me) {
  document.getElementById("who")!.hidden = false;
  document.getElementById("who-name")!.textContent = `${me.actor} · ${me.role}${me.tenant ? ` of ${me.tenant}` : ""}`;
  document.body.dataset.role = me.role;
  document.body.dataset.tenant = me.tenant ?? "";
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button"))
    b.hidden = !VIEWS[b.dataset.view as View].some(r => covers(me.role, r));
}

async function start() {
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.addEventListener("click", () => setView(b.dataset.view as View));
  document.getElementById("logout")!.addEventListener("click", () => { session.clear(); location.reload(); });
  // A token that stops working (revoked, expired) sends the user back to the login; a wrong one at the login does not reload.
  window.addEventListener("meridian:logged-out", () => { if (document.body.dataset.role) { session.clear(); location.reload(); } });
  setupLegend();
  setupZoom();
  setupTimeline();
  const colourBy = document.getElementById("colour-by") as HTMLSelectElement;
  colourBy.addEventListener("change", () => void capacity.show((colourBy.value || null) as Parameters<CapacityLayer["show"]>[0]).catch(e => {
    panel().innerHTML = problemText(e);
  }));
  const me = await login();
  showWho(me);
  if (me.role === "member") {
    // A member sees capacity and its own workloads, not the footprint.
    document.body.dataset.ready = "true";
    setView("place");
    return;
  }
  const [regions, facilities] = await Promise.all([all<Region>("/api/v1/regions?limit=1000"), all<Facility>("/api/v1/facilities?limit=1000")]);
  for (const r of regions) regionsById.set(r.id, r);
  const facilityNames = new Map<string, string[]>();
  for (const f of facilities) if (f.regionId) facilityNames.set(f.regionId, [...(facilityNames.get(f.regionId) ?? []), f.name]);
  map.setRegions(regions, facilityNames);
  setDate(today);
  liveWorkloads(await loadWorkloads());
  document.body.dataset.ready = "true";
  setView("world");
}

start().catch(e => {
  document.getElementById("panel")!.innerHTML = `<div class="problem" role="alert">Could not load the footprint: ${escape(String(e))}</div>`;
});
