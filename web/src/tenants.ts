import type { Tenant } from "./api";
import { all, escape, get } from "./api";
import { claimPanel, panel } from "./panel";
import { problemText } from "./views";

// Tenants view: each tenant's workloads and what they hold against its quotas. A member sees its own tenant only.


const RESOURCES: ["vcpu" | "memoryGiB" | "gpus", string, string][] = [["vcpu", "vCPU", ""], ["memoryGiB", "Memory", "GiB"], ["gpus", "GPUs", ""]];

function quotaBar(label: string, used: number, quota: number | null | undefined, unit: string): string {
  const value = `${+used.toFixed(2)}${quota == null ? "" : ` / ${+quota.toFixed(2)}`} ${unit}`.trim();
  if (quota == null) return `<div class="bar"><span class="bar-label">${label}</span><span class="bar-none">no quota</span><span class="bar-value">${value}</span></div>`;
  const share = quota > 0 ? Math.min(100, (100 * used) / quota) : 100;
  return `<div class="bar${share >= 90 ? " near-quota" : ""}" role="img" aria-label="${label}: ${value} of quota used">
    <span class="bar-label">${label}</span><span class="bar-track"><span class="bar-fill" style="width:${share.toFixed(1)}%"></span></span>
    <span class="bar-value">${value}</span></div>`;
}

export async function showTenants() {
  const current = claimPanel();
  panel().innerHTML = "<h2>Tenants</h2><p>Loading…</p>";
  try {
    const own = document.body.dataset.role === "member" ? document.body.dataset.tenant : "";
    const tenants = own ? [await get<Tenant>(`/api/v1/tenants/${encodeURIComponent(own)}`)] : await all<Tenant>("/api/v1/tenants?limit=1000");
    if (!current()) return;
    panel().innerHTML = `<h2>Tenants</h2>
      ${tenants.length ? "" : "<p>No tenants yet. An admin creates one with <code>meridian tenant create</code>.</p>"}
      <ul class="tenants" data-testid="tenants">${tenants.map(t => `<li data-tenant="${escape(t.id)}">
        <h3>${escape(t.id)} <small>${t.usage.workloads} workloads, ${t.usage.replicas} replicas</small></h3>
        ${t.description ? `<p>${escape(t.description)}</p>` : ""}
        ${RESOURCES.map(([key, label, unit]) => quotaBar(label, t.usage[key] ?? 0, t.quota?.[key], unit)).join("")}
        ${Object.entries(t.quota?.gpusByModel ?? {}).map(([model, q]) => quotaBar(escape(model), t.usage.gpusByModel?.[model] ?? 0, q, "")).join("")}
      </li>`).join("")}</ul>`;
  } catch (e) {
    if (current()) panel().innerHTML = problemText(e);
  }
}
