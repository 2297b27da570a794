// The side panel shows one view at a time. A view that awaits an answer checks, before it writes, that it is still the
// view shown: a slow answer must not overwrite the view the user has since switched to.

let shown = 0;

export const panel = () => document.getElementById("panel")!;

/** Starts a view in the panel; the check returned is true while that view is still the one shown. */
export function claimPanel(): () => boolean {
  const mine = ++shown;
  return () => mine === shown;
}

/** Latest-wins for requests within a view (a second click on the map before the first answer is back). */
export function latest(): () => () => boolean {
  let n = 0;
  return () => {
    const mine = ++n;
    return () => mine === n;
  };
}
