// Thin typed access to Meridian's REST API; every error comes back as RFC 9457 problem details.

import type { components } from "./generated/api";

// The API's types, generated from its OpenAPI document (web/openapi.json) at build time: a change on the server
// that the console does not follow fails the build.
type Schemas = components["schemas"];
export type Status = Schemas["LifecycleStatus"];
export type LifecycleEvent = Schemas["LifecycleEvent"];
export type Region = Schemas["Region"];
export type Facility = Schemas["Facility"];
export type Workload = Schemas["WorkloadView"];
export type Totals = Schemas["CapacityTotalsView"];
export type CapacityLine = Schemas["CapacityLineView"];
export type Capacity = Schemas["CapacityView"];
export type Tenant = Schemas["TenantView"];
export type Plan = Schemas["PlanView"];
export type ExpansionResult = Schemas["ExpansionPlan"];
export type ClosureResult = Schemas["ClosureReport"];
export type Change = Schemas["ChangeView"];
export type Service = Schemas["Service"];
export type Boundary = Schemas["DataBoundary"];
export type Route = Schemas["RouteView"];
export interface Problem { title: string; status: number; detail: string; errors?: { field: string; message: string }[]; zoneCapacity?: Record<string, number> }

export class ApiError extends Error {
  constructor(public problem: Problem) { super(problem.detail); }
}

// The token lives in this tab's session storage: it is sent only as an Authorization header, never as a cookie, so
// another site cannot make the browser use it.
const TOKEN_KEY = "meridian.token";
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export type Role = "viewer" | "operator" | "admin" | "member";
export type Me = Omit<Schemas["MeView"], "role"> & { role: Role };

/** True when a role may do what `needed` may: admin > operator > viewer; member only itself. */
export function covers(role: Role, needed: Role): boolean {
  const ladder: Role[] = ["viewer", "operator", "admin"];
  return role === needed || (role !== "member" && needed !== "member" && ladder.indexOf(role) >= ladder.indexOf(needed));
}

export function headers(extra: Record<string, string>): Record<string, string> {
  const token = session.token();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (response.status === 401) window.dispatchEvent(new Event("meridian:logged-out"));
  if (!response.ok) throw new ApiError(parsed as Problem);
  return parsed as T;
}

/** Requests under way, on the body as data-busy: the cursor shows progress, and tests wait for it to reach 0. */
let busy = 0;
async function track<T>(work: () => Promise<T>): Promise<T> {
  document.body.dataset.busy = String(++busy);
  try {
    return await work();
  } finally {
    document.body.dataset.busy = String(--busy);
  }
}

export function get<T>(url: string): Promise<T> {
  return track(async () => answer<T>(await fetch(url, { headers: headers({ Accept: "application/json" }) })));
}

export function send<T>(method: string, url: string, body: unknown): Promise<T> {
  return track(async () => answer<T>(await fetch(url, { method, headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) })));
}

/** Every page of a list, following "next". */
export async function all<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = url;
  while (next) {
    const page: { items: T[]; next: string | null } = await get(next);
    items.push(...page.items);
    next = page.next;
  }
  return items;
}

/** The status on a date (YYYY-MM-DD), or null before the first event. */
export function statusOn(history: LifecycleEvent[], date: string): Status | null {
  let status: Status | null = null;
  for (const e of history) {
    if (e.on > date) break;
    status = e.status;
  }
  return status;
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
