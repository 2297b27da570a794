import { geoNaturalEarth1, geoPath, geoGraticule10, geoContains, geoCentroid } from "d3-geo";
import type { GeoProjection } from "d3-geo";
import { feature } from "topojson-client";
import type { Topology, GeometryCollection } from "topojson-specification";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import world from "world-atlas/countries-110m.json";
import { countries } from "./countries";
import type { Region, Status } from "./api";
import { statusOn } from "./api";

const SVG = "http://www.w3.org/2000/svg";
export const STATUS_COLOURS: Record<Status, string> = {
  Live: "#1a9850", Draining: "#f39c12", UnderConstruction: "#4575b4", Planned: "#74add1", Closed: "#8c8c8c",
};

export interface MapHandlers {
  onRegion(region: Region): void;
  onPoint(lat: number, lon: number, country: string | null, name: string | null): void;
}

/** The offline world map (world-atlas, no tile server) with one marker per region. */
export class WorldMap {
  readonly svg: SVGSVGElement;
  private readonly projection: GeoProjection;
  private readonly countryShapes: Feature<Geometry, { name: string }>[];
  private readonly countryLayer: SVGGElement;
  private readonly overlay: SVGGElement;
  private readonly markers = new Map<string, SVGGElement>();
  private regions: Region[] = [];
  private facilityNames = new Map<string, string[]>();
  private replicas = new Map<string, number>();
  private date = "";

  constructor(svg: SVGSVGElement, private readonly handlers: MapHandlers) {
    this.svg = svg;
    const width = 960, height = 500;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.projection = geoNaturalEarth1().fitSize([width, height], { type: "Sphere" });
    const path = geoPath(this.projection);
    const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    this.countryShapes = (feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>).features;

    this.add(svg, "path", { d: path({ type: "Sphere" }) ?? "", class: "sphere" });
    this.add(svg, "path", { d: path(geoGraticule10()) ?? "", class: "graticule" });
    this.countryLayer = this.add(svg, "g", { class: "countries" }) as SVGGElement;
    for (const c of this.countryShapes) {
      const el = this.add(this.countryLayer, "path", { d: path(c) ?? "", class: "country", "data-country": countries[String(c.id)]?.[0] ?? "" });
      const title = document.createElementNS(SVG, "title");
      title.textContent = c.properties.name;
      el.appendChild(title);
    }
    this.overlay = this.add(svg, "g", { class: "overlay" }) as SVGGElement;
    svg.addEventListener("click", e => this.click(e));
  }

  setRegions(regions: Region[], facilityNames: Map<string, string[]>) {
    this.regions = regions;
    this.facilityNames = facilityNames;
    for (const m of this.markers.values()) m.remove();
    this.markers.clear();
    const layer = this.add(this.svg, "g", { class: "markers" });
    for (const r of regions) {
      const [x, y] = this.projection([r.location.longitude, r.location.latitude]) ?? [0, 0];
      const g = this.add(layer, "g", {
        class: "region", "data-region-id": r.id, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
        tabindex: "0", role: "button", "aria-label": `${r.id}, ${r.name}`,
      }) as SVGGElement;
      this.add(g, "circle", { r: "5.5" });
      g.appendChild(document.createElementNS(SVG, "title"));
      g.addEventListener("click", e => { e.stopPropagation(); this.handlers.onRegion(r); });
      g.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.handlers.onRegion(r); } });
      this.markers.set(r.id, g);
    }
  }

  /** Replicas running per region, as a badge beside its marker (none for none). */
  setWorkloads(replicas: Map<string, number>) {
    this.replicas = replicas;
    for (const [id, g] of this.markers) {
      const n = replicas.get(id) ?? 0;
      g.querySelector("text.replicas")?.remove();
      g.classList.toggle("has-workloads", n > 0);
      g.dataset.replicas = String(n);
      if (n > 0) this.add(g, "text", { class: "replicas", x: "7", y: "-5" }).textContent = String(n);
    }
    if (this.date) this.showDate(this.date);
  }

  /** Colours and shows each marker by its status on the date; regions not yet announced are hidden. */
  showDate(date: string) {
    this.date = date;
    for (const r of this.regions) {
      const g = this.markers.get(r.id)!;
      const status = statusOn(r.history, date);
      g.style.display = status ? "" : "none";
      g.setAttribute("data-status", status ?? "");
      g.querySelector("circle")!.setAttribute("fill", status ? STATUS_COLOURS[status] : "none");
      g.querySelector("title")!.textContent =
        `${r.id}: ${r.name}\n${status ?? "not yet"} on ${date}\nZones: ${r.zones.map(z => z.id).join(", ") || "none"}` +
        `\nFacilities: ${(this.facilityNames.get(r.id) ?? []).join(", ") || "none"}\nServices: ${r.services.join(", ")}` +
        `\nReplicas running: ${this.replicas.get(r.id) ?? 0}`;
    }
  }

  highlight(regionIds: string[], cls: string) {
    for (const [id, g] of this.markers) g.classList.toggle(cls, regionIds.includes(id));
  }

  clearOverlay() { this.overlay.replaceChildren(); }

  /** A line from a point to a region, for steering answers. */
  drawRoute(lat: number, lon: number, region: Region) {
    this.clearOverlay();
    const path = geoPath(this.projection);
    this.add(this.overlay, "path", {
      class: "route", d: path({ type: "LineString", coordinates: [[lon, lat], [region.location.longitude, region.location.latitude]] }) ?? "",
    });
    const [x, y] = this.projection([lon, lat]) ?? [0, 0];
    this.add(this.overlay, "circle", { class: "client", cx: x.toFixed(1), cy: y.toFixed(1), r: "4" });
  }

  /** Diamonds for planned sites, with their names on hover. */
  markSites(sites: { name: string; lat: number; lon: number }[]) {
    this.clearOverlay();
    for (const s of sites) {
      const [x, y] = this.projection([s.lon, s.lat]) ?? [0, 0];
      const g = this.add(this.overlay, "g", { class: "planned-site", "data-site": s.name, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` });
      this.add(g, "rect", { x: "-5", y: "-5", width: "10", height: "10", transform: "rotate(45)" });
      const title = document.createElementNS(SVG, "title");
      title.textContent = s.name;
      g.appendChild(title);
    }
  }

  /** Shades each country by a value (RTT in ms), null for none. */
  shade(values: Map<string, number | null>, colour: (v: number) => string) {
    for (const el of this.countryLayer.querySelectorAll<SVGPathElement>("path.country")) {
      const v = values.get(el.dataset.country ?? "");
      el.style.fill = v === undefined ? "" : v === null ? "#d9d9d9" : colour(v);
    }
  }

  /** Each country's alpha-2 code and centroid, for layers computed per country. */
  countryCentroids(): { code: string; name: string; lat: number; lon: number }[] {
    return this.countryShapes.flatMap(c => {
      const info = countries[String(c.id)];
      if (!info) return [];
      const [lon, lat] = geoCentroid(c);
      return [{ code: info[0], name: info[1], lat, lon }];
    });
  }

  private click(e: MouseEvent) {
    const pt = this.svg.createSVGPoint();
    pt.x = e.clientX; pt.y = e.clientY;
    const local = pt.matrixTransform(this.svg.getScreenCTM()!.inverse());
    const coords = this.projection.invert?.([local.x, local.y]);
    if (!coords) return;
    const [lon, lat] = coords;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
    const hit = this.countryShapes.find(c => geoContains(c, [lon, lat]));
    const info = hit ? countries[String(hit.id)] : undefined;
    this.handlers.onPoint(lat, lon, info?.[0] ?? null, info?.[1] ?? hit?.properties.name ?? null);
  }

  private add(parent: Element, tag: string, attrs: Record<string, string>): SVGElement {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    parent.appendChild(el);
    return el;
  }
}
