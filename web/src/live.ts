// Follows the change log (GET /api/v1/changes?watch=true) so the console updates without a reload. EventSource cannot
// send the bearer token, so this reads the server-sent events from fetch's stream.
import type { Change } from "./api";
import { headers } from "./api";


export interface WatchHandlers {
  change(c: Change): void;
  /** The log no longer reaches back to where this watch was (410): reload, then return where to follow from. */
  reset(): Promise<number>;
  state(s: "live" | "reconnecting"): void;
}

/** Follows changes of one kind from `since` until `stop` is aborted, resuming after a drop from the last number seen. */
export async function follow(kind: string, since: number, on: WatchHandlers, stop: AbortSignal): Promise<void> {
  let delay = 1000;
  while (!stop.aborted) {
    try {
      const response = await fetch(`/api/v1/changes?watch=true&kind=${encodeURIComponent(kind)}&since=${since}`,
        { headers: headers({ Accept: "text/event-stream" }), signal: stop });
      if (response.status === 401) { window.dispatchEvent(new Event("meridian:logged-out")); return; }
      if (response.status === 410) { since = await on.reset(); continue; }
      if (!response.ok || !response.body) throw new Error(`watch answered ${response.status}`);
      on.state("live");
      delay = 1000;
      for await (const event of events(response.body)) {
        if (event.id) since = Number(event.id);
        if (event.type === "change") on.change(JSON.parse(event.data) as Change);
      }
    } catch (e) {
      if (stop.aborted) return;
      void e;
    }
    // The stream ended or failed: try again, backing off up to 30 s, from the last number seen.
    on.state("reconnecting");
    await new Promise(r => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}

/** The events of a text/event-stream body: blocks separated by a blank line, of "field: value" lines. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<{ type: string; id: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }); // Meridian ends lines with "\n" alone.
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message", id = "", data = "";
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") type = text;
        else if (field === "id") id = text;
        else if (field === "data") data = data ? `${data}\n${text}` : text;
      }
      if (data || type !== "message") yield { type, id, data };
    }
  }
}
