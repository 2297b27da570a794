import type { CapacityLine, Totals } from "./api";
import { get } from "./api";
import type { WorldMap } from "./map";
import { scaleLegend } from "./map";

// The capacity layer: each region's marker coloured by the share of one resource in use on its hosts in service.

/** A resource in use, or "stranded": free GPUs on hosts where no task of the workloads placed now fits. */
type Resource = keyof Totals | "stranded";
const NAMES: Record<Resource, string> = { vcpu: "vCPU", memoryGiB: "memory", gpus: "GPUs", stranded: "GPUs" };
/** Live updates ask for capacity at most this often, however many workloads change. */
const REFRESH_MS = 3000;

/** Green for idle, through yellow, to red for full. */
export const usedColour = (share: number) => `hsl(${(120 * (1 - Math.min(1, Math.max(0, share)))).toFixed(0)}, 70%, 45%)`;

export class CapacityLayer {
  private resource: Resource | null = null;
  private pending: number | undefined;

  constructor(private readonly map: WorldMap, private readonly legend: HTMLElement, private readonly statusLegend: HTMLElement) {}

  /** Colours markers by a resource in use, or by status again with null. */
  async show(resource: Resource | null) {
    this.resource = resource;
    if (!resource) {
      this.map.colourMarkers(null);
      this.legend.hidden = true;
      this.statusLegend.hidden = false;
      return;
    }
    const report = await get<{ regions: CapacityLine[] }>("/api/v1/capacity");
    if (this.resource !== resource) return;
    const fills = new Map<string, string>();
    const stranded = resource === "stranded";
    const key = stranded ? "gpus" : resource;
    for (const line of report.regions) {
      if (line.total[key] > 0) fills.set(line.id, usedColour((stranded ? line.strandedGpus : line.used[key]) / line.total[key]));
    }
    this.map.colourMarkers(fills);
    this.legend.innerHTML = scaleLegend(stranded
      ? { title: "Share of GPUs stranded (free where no placed task fits)", min: 0, max: 1, maxLabel: "100", unit: "%", none: "no GPUs in service" }
      : { title: `Share of ${NAMES[resource]} in use`, min: 0, max: 1, maxLabel: "100", unit: "%", none: `no ${NAMES[resource]} in service` }, usedColour);
    this.legend.hidden = false;
    this.statusLegend.hidden = true;
  }

  /** A workload changed: refresh the layer, at most every few seconds. */
  changed() {
    if (!this.resource || this.pending !== undefined) return;
    this.pending = window.setTimeout(() => {
      this.pending = undefined;
      void this.show(this.resource).catch(() => undefined);
    }, REFRESH_MS);
  }
}
