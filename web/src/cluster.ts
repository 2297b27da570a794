// Groups points closer than a distance, so markers that would overlap on screen are drawn as one.

export interface Point { id: string; x: number; y: number }
export interface Cluster { x: number; y: number; members: Point[] }

/** Greedy clustering: each point joins the first cluster whose centre is within `distance`, else starts one. Points
 * are taken west to east so the result does not depend on the order regions were listed in. */
export function cluster(points: Point[], distance: number): Cluster[] {
  const clusters: Cluster[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x || a.y - b.y || a.id.localeCompare(b.id))) {
    const near = clusters.find(c => Math.hypot(c.x - p.x, c.y - p.y) < distance);
    if (!near) {
      clusters.push({ x: p.x, y: p.y, members: [p] });
      continue;
    }
    near.members.push(p);
    near.x = near.members.reduce((s, m) => s + m.x, 0) / near.members.length;
    near.y = near.members.reduce((s, m) => s + m.y, 0) / near.members.length;
  }
  return clusters;
}
