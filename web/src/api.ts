// Thin typed access to Meridian's REST API; every error comes back as RFC 9457 problem details.

export type Status = "Planned" | "UnderConstruction" | "Live" | "Draining" | "Closed";
export interface LifecycleEvent { status: Status; on: string; estimated?: boolean; note?: string }
export interface Region {
  id: string; name: string; city: string; country: string;
  location: { latitude: number; longitude: number };
  history: LifecycleEvent[]; services: string[]; status?: Status;
  zones: { id: string; status: Status }[];
}
export interface Facility {
  id: string; name: string; regionId?: string; zoneId?: string; city: string; country: string;
  location: { latitude: number; longitude: number }; ownership: string; history: LifecycleEvent[];
  support?: { hours: string; roles: string[] }; status?: Status;
}
export interface Totals { vcpu: number; memoryGiB: number; gpus: number }
export interface CapacityLine { id: string; hosts: number; total: Totals; used: Totals; free: Totals }
export interface Problem { title: string; status: number; detail: string; errors?: { field: string; message: string }[]; zoneCapacity?: Record<string, number> }

export class ApiError extends Error {
  constructor(public problem: Problem) { super(problem.detail); }
}

export async function get<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new ApiError(body as Problem);
  return body as T;
}

export async function send<T>(method: string, url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-Meridian-Actor": "console" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(parsed as Problem);
  return parsed as T;
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
