import { geoNaturalEarth1, geoPath, geoGraticule10, geoContains, geoCentroid, geoDistance } from "d3-geo";
import type { GeoProjection } from "d3-geo";
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import type { ZoomBehavior, ZoomTransform } from "d3-zoom";
import { feature } from "topojson-client";
import type { Topology, GeometryCollection } from "topojson-specification";
import type { Feature, FeatureCollection, Geometry, Position } from "geojson";
import world from "world-atlas/countries-110m.json";
import { countries } from "./countries";
import type { Region, Status } from "./api";
import { statusOn } from "./api";
import { cluster } from "./cluster";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960, HEIGHT = 500;
/** Marker radius and tap target on screen, in CSS pixels, whatever the zoom or the screen's width. */
const MARKER_PX = 6, TAP_PX = 14;
/** Markers closer than this on screen are drawn as one cluster until zoomed apart. */
const CLUSTER_PX = 16;
const EARTH_KM = 6371;

export const STATUS_COLOURS: Record<Status, string> = {
  Live: "#1a9850", Draining: "#f39c12", UnderConstruction: "#4575b4", Planned: "#74add1", Closed: "#8c8c8c",
};
export const STATUS_LABELS: Record<Status, string> = {
  Live: "Live", Draining: "Draining", UnderConstruction: "Under construction", Planned: "Planned", Closed: "Closed",
};

/** Where a click on the map landed: the country under it, or for a click at sea the nearest one and how far it is. */
export interface MapPoint { lat: number; lon: number; country: string | null; name: string | null; offshoreKm: number }

export interface MapHandlers {
  onRegion(region: Region): void;
  onPoint(point: MapPoint): void;
}

/** A colour scale shown under the map while countries are shaded. */
export interface ShadeLegend { title: string; min: number; max: number; unit: string; none?: string }

/** A colour scale's legend: title, a ramp from min to max, and the swatch for no value. */
export function scaleLegend(legend: ShadeLegend & { maxLabel?: string }, colour: (v: number) => string): string {
  const stops = [0, 0.25, 0.5, 0.75, 1].map(t => `${colour(legend.min + t * (legend.max - legend.min))} ${t * 100}%`).join(", ");
  return `<span>${legend.title}</span>
    <span class="scale"><span class="ramp" style="background: linear-gradient(to right, ${stops})"></span>
      <span class="ends"><span>${legend.min}${legend.unit}</span><span>${legend.maxLabel ?? `${legend.max}+`}${legend.unit}</span></span></span>
    ${legend.none ? `<span class="none"><span class="swatch"></span>${legend.none}</span>` : ""}`;
}

/** The offline world map (world-atlas, no tile server) with one marker per region, zoomable with d3-zoom. */
export class WorldMap {
  readonly svg: SVGSVGElement;
  private readonly projection: GeoProjection;
  private readonly countryShapes: Feature<Geometry, { name: string }>[];
  private readonly viewport: SVGGElement;
  private readonly countryLayer: SVGGElement;
  private readonly overlay: SVGGElement;
  private readonly markerLayer: SVGGElement;
  private readonly clusterLayer: SVGGElement;
  private readonly markers = new Map<string, SVGGElement>();
  private readonly zoom: ZoomBehavior<SVGSVGElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private regions: Region[] = [];
  private facilityNames = new Map<string, string[]>();
  private replicas = new Map<string, number>();
  private date = "";
  /** Marker colours by a layer other than status (capacity), or null for status. */
  private fills: Map<string, string> | null = null;
  /** Every country's outline points, for the nearest country to a click at sea. */
  private outline: { code: string; name: string; point: Position }[] = [];

  constructor(svg: SVGSVGElement, private readonly handlers: MapHandlers) {
    this.svg = svg;
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    this.projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: "Sphere" });
    const path = geoPath(this.projection);
    const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    this.countryShapes = (feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>).features;

    this.viewport = this.add(svg, "g", { class: "viewport" }) as SVGGElement;
    this.add(this.viewport, "path", { d: path({ type: "Sphere" }) ?? "", class: "sphere" });
    this.add(this.viewport, "path", { d: path(geoGraticule10()) ?? "", class: "graticule" });
    this.countryLayer = this.add(this.viewport, "g", { class: "countries" }) as SVGGElement;
    for (const c of this.countryShapes) {
      const el = this.add(this.countryLayer, "path", { d: path(c) ?? "", class: "country", "data-country": countries[String(c.id)]?.[0] ?? "" });
      const title = document.createElementNS(SVG, "title");
      title.textContent = c.properties.name;
      el.appendChild(title);
    }
    this.overlay = this.add(this.viewport, "g", { class: "overlay" }) as SVGGElement;
    this.markerLayer = this.add(this.viewport, "g", { class: "markers" }) as SVGGElement;
    this.clusterLayer = this.add(this.viewport, "g", { class: "clusters" }) as SVGGElement;

    this.zoom = zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, 16])
      .translateExtent([[0, 0], [WIDTH, HEIGHT]])
      .on("zoom", e => {
        this.transform = e.transform;
        this.viewport.setAttribute("transform", e.transform.toString());
        this.layout();
      });
    select(svg).call(this.zoom).on("dblclick.zoom", null);
    svg.addEventListener("click", e => { if (!e.defaultPrevented) this.click(e); });
    new ResizeObserver(() => this.layout()).observe(svg);
  }

  setRegions(regions: Region[], facilityNames: Map<string, string[]>) {
    this.regions = regions;
    this.facilityNames = facilityNames;
    this.markerLayer.replaceChildren();
    this.markers.clear();
    for (const r of regions) {
      const g = this.add(this.markerLayer, "g", {
        class: "region", "data-region-id": r.id, tabindex: "0", role: "button", "aria-label": `${r.id}, ${r.name}`,
      }) as SVGGElement;
      this.add(g, "circle", { class: "hit", r: String(TAP_PX) });
      this.add(g, "circle", { class: "dot", r: String(MARKER_PX) });
      g.appendChild(document.createElementNS(SVG, "title"));
      g.addEventListener("click", e => { e.stopPropagation(); this.handlers.onRegion(r); });
      g.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.handlers.onRegion(r); } });
      this.markers.set(r.id, g);
    }
    this.layout();
  }

  /** Replicas running per region, as a badge beside its marker (none for none). */
  setWorkloads(replicas: Map<string, number>) {
    this.replicas = replicas;
    for (const [id, g] of this.markers) {
      const n = replicas.get(id) ?? 0;
      g.querySelector("text.replicas")?.remove();
      g.classList.toggle("has-workloads", n > 0);
      g.dataset.replicas = String(n);
      if (n > 0) this.add(g, "text", { class: "replicas", x: "7", y: "-6" }).textContent = String(n);
    }
    if (this.date) this.showDate(this.date);
  }

  /** Colours and shows each marker by its status on the date; regions not yet announced are hidden. */
  showDate(date: string) {
    this.date = date;
    for (const r of this.regions) {
      const g = this.markers.get(r.id)!;
      const status = statusOn(r.history, date);
      g.dataset.hidden = String(!status);
      g.setAttribute("data-status", status ?? "");
      const fill = this.fills ? this.fills.get(r.id) ?? "#d9d9d9" : status ? STATUS_COLOURS[status] : "none";
      g.querySelector("circle.dot")!.setAttribute("fill", status ? fill : "none");
      g.querySelector("title")!.textContent =
        `${r.id}: ${r.name}\n${status ? STATUS_LABELS[status] : "not yet"} on ${date}\nZones: ${(r.zones ?? []).map(z => z.id).join(", ") || "none"}` +
        `\nFacilities: ${(this.facilityNames.get(r.id) ?? []).join(", ") || "none"}\nServices: ${r.services.join(", ")}` +
        `\nReplicas running: ${this.replicas.get(r.id) ?? 0}`;
    }
    this.layout();
  }

  /** Colours markers by a layer (capacity in use), or by status again with null. */
  colourMarkers(fills: Map<string, string> | null) {
    this.fills = fills;
    if (this.date) this.showDate(this.date);
  }

  highlight(regionIds: string[], cls: string) {
    for (const [id, g] of this.markers) g.classList.toggle(cls, regionIds.includes(id));
    this.layout();
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
    this.add(this.overlay, "circle", { class: "client", r: "6", "data-x": x.toFixed(1), "data-y": y.toFixed(1) });
    this.layout();
  }

  /** Diamonds for planned sites, with their names on hover. */
  markSites(sites: { name: string; lat: number; lon: number }[]) {
    this.clearOverlay();
    for (const s of sites) {
      const [x, y] = this.projection([s.lon, s.lat]) ?? [0, 0];
      const g = this.add(this.overlay, "g", { class: "planned-site", "data-site": s.name, "data-x": x.toFixed(1), "data-y": y.toFixed(1) });
      this.add(g, "rect", { x: "-6", y: "-6", width: "12", height: "12", transform: "rotate(45)" });
      const title = document.createElementNS(SVG, "title");
      title.textContent = s.name;
      g.appendChild(title);
    }
    this.layout();
  }

  /** Shades each country by a value (null for none) and shows the colour scale under the map; no legend clears it. */
  shade(values: Map<string, number | null>, colour: (v: number) => string, legend?: ShadeLegend) {
    for (const el of this.countryLayer.querySelectorAll<SVGPathElement>("path.country")) {
      const v = values.get(el.dataset.country ?? "");
      el.style.fill = v === undefined ? "" : v === null ? "#d9d9d9" : colour(v);
    }
    const box = document.getElementById("shade-legend");
    if (!box) return;
    box.hidden = !legend || values.size === 0;
    if (!legend || values.size === 0) return;
    box.innerHTML = scaleLegend(legend, colour);
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

  /** Zooms by a factor about the centre (keyboard and buttons), or back to the whole world. */
  zoomBy(factor: number) { select(this.svg).call(this.zoom.scaleBy, factor); }
  panBy(dx: number, dy: number) { select(this.svg).call(this.zoom.translateBy, dx / this.transform.k, dy / this.transform.k); }
  resetZoom() { select(this.svg).call(this.zoom.transform, zoomIdentity); }

  /** Where a longitude and latitude are in the page now, zoom included (for the browser tests). */
  screenPoint(lon: number, lat: number): [number, number] {
    const [x, y] = this.transform.apply(this.projection([lon, lat]) ?? [0, 0]);
    const p = this.svg.createSVGPoint();
    p.x = x; p.y = y;
    const page = p.matrixTransform(this.svg.getScreenCTM()!);
    return [page.x, page.y];
  }

  /** Zooms to fit the given map points (viewBox units), as a click on a cluster does. */
  private zoomTo(points: [number, number][]) {
    const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // Far enough that markers CLUSTER_PX apart on screen come apart, never past the zoom's limit.
    const spread = Math.max(x1 - x0, y1 - y0, 1);
    const k = Math.min(16, Math.max(this.transform.k * 2, (0.5 * Math.min(WIDTH, HEIGHT)) / spread));
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    select(this.svg).call(this.zoom.transform, zoomIdentity.translate(WIDTH / 2, HEIGHT / 2).scale(k).translate(-cx, -cy));
  }

  /** Viewbox units per screen pixel at the current zoom: what keeps markers the same size on screen. */
  private unitsPerPixel(): number {
    const width = this.svg.getBoundingClientRect().width || WIDTH;
    return WIDTH / width / this.transform.k;
  }

  /** Places markers at their size on screen and groups the ones that would overlap into clusters. */
  private layout() {
    const s = this.unitsPerPixel();
    for (const el of this.overlay.querySelectorAll<SVGElement>("[data-x]"))
      el.setAttribute("transform", `translate(${el.dataset.x},${el.dataset.y}) scale(${s.toFixed(4)})`);
    const visible: { id: string; x: number; y: number }[] = [];
    for (const r of this.regions) {
      const g = this.markers.get(r.id)!;
      const [x, y] = this.projection([r.location.longitude, r.location.latitude]) ?? [0, 0];
      g.setAttribute("transform", `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${s.toFixed(4)})`);
      if (g.dataset.hidden !== "true") visible.push({ id: r.id, x, y });
    }
    // Clusters are formed in screen pixels, so they split as the map is zoomed in.
    const groups = cluster(visible, CLUSTER_PX * s);
    this.clusterLayer.replaceChildren();
    for (const g of this.markers.values()) g.style.display = g.dataset.hidden === "true" ? "none" : "";
    for (const group of groups) {
      if (group.members.length < 2) continue;
      for (const m of group.members) this.markers.get(m.id)!.style.display = "none";
      const names = group.members.map(m => m.id);
      const c = this.add(this.clusterLayer, "g", {
        class: "cluster", "data-regions": names.join(" "), tabindex: "0", role: "button",
        transform: `translate(${group.x.toFixed(2)},${group.y.toFixed(2)}) scale(${s.toFixed(4)})`,
        "aria-label": `${names.length} regions: ${names.join(", ")}. Zoom in to separate them`,
      });
      this.add(c, "circle", { class: "hit", r: String(TAP_PX + 2) });
      this.add(c, "circle", { class: "dot", r: String(MARKER_PX + 3) });
      this.add(c, "text", { "text-anchor": "middle", dy: "0.35em" }).textContent = String(names.length);
      const replicas = names.reduce((n, id) => n + (this.replicas.get(id) ?? 0), 0);
      c.dataset.replicas = String(replicas);
      c.classList.toggle("has-workloads", replicas > 0);
      if (replicas > 0) this.add(c, "text", { class: "replicas", x: "10", y: "-8" }).textContent = String(replicas);
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${names.join(", ")}\nReplicas running: ${replicas}\n(click to zoom in)`;
      c.appendChild(title);
      if (group.members.some(m => this.markers.get(m.id)!.classList.contains("placed"))) c.classList.add("placed");
      const open = () => this.zoomTo(group.members.map(m => [m.x, m.y]));
      c.addEventListener("click", e => { e.stopPropagation(); open(); });
      c.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
    }
  }

  /** The nearest country to a point at sea: the closest point of any country's outline (Antarctica only from the far south). */
  private nearest(lon: number, lat: number): { code: string; name: string; km: number } | null {
    if (this.outline.length === 0) {
      for (const c of this.countryShapes) {
        const info = countries[String(c.id)];
        if (!info) continue;
        const rings = c.geometry.type === "Polygon" ? c.geometry.coordinates : c.geometry.type === "MultiPolygon" ? c.geometry.coordinates.flat() : [];
        for (const ring of rings) for (const point of ring) this.outline.push({ code: info[0], name: info[1], point });
      }
    }
    let best: { code: string; name: string; km: number } | null = null;
    for (const o of this.outline) {
      if (o.code === "AQ" && lat > -60) continue;
      const km = geoDistance([lon, lat], o.point as [number, number]) * EARTH_KM;
      if (!best || km < best.km) best = { code: o.code, name: o.name, km };
    }
    return best;
  }

  private click(e: MouseEvent) {
    const pt = this.svg.createSVGPoint();
    pt.x = e.clientX; pt.y = e.clientY;
    const local = pt.matrixTransform(this.svg.getScreenCTM()!.inverse());
    const [mx, my] = this.transform.invert([local.x, local.y]);
    const coords = this.projection.invert?.([mx, my]);
    if (!coords) return;
    const [lon, lat] = coords;
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
    const hit = this.countryShapes.find(c => geoContains(c, [lon, lat]));
    const info = hit ? countries[String(hit.id)] : undefined;
    if (info) {
      this.handlers.onPoint({ lat, lon, country: info[0], name: info[1], offshoreKm: 0 });
      return;
    }
    const near = this.nearest(lon, lat);
    this.handlers.onPoint({ lat, lon, country: near?.code ?? null, name: near?.name ?? null, offshoreKm: near?.km ?? 0 });
  }

  private add(parent: Element, tag: string, attrs: Record<string, string>): SVGElement {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    parent.appendChild(el);
    return el;
  }
}
