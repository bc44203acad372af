import { useSyncExternalStore } from "react";

// A hash router: every screen has a shareable URL and reload keeps it, with no
// dependency and no server rewrites.

export type Route =
  | { name: "quotes"; status?: string; q?: string; sort?: string }
  /** The New quote form; `from` prefills it from a quote (Duplicate), `edit` edits a queued quote. */
  | { name: "newQuote"; from?: string; edit?: string }
  | { name: "quote"; quoteId: string }
  | { name: "insights" }
  | { name: "members" }
  | { name: "join"; token: string }
  /** The supplier portal (web/src/portal): an invitation link, the supplier's negotiations, one negotiation. */
  | { name: "supplierInvite"; token: string }
  | { name: "supplierHome" }
  | { name: "supplierNegotiation"; negotiationId: string }
  | { name: "notFound"; path: string };

/** Routes of the supplier portal, which any signed-in person may open, with or without a workspace. */
export function isPortalRoute(route: Route): route is Extract<Route, { name: "supplierInvite" | "supplierHome" | "supplierNegotiation" }> {
  return route.name === "supplierInvite" || route.name === "supplierHome" || route.name === "supplierNegotiation";
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "quotes")) {
    return {
      name: "quotes",
      status: params.get("status") ?? undefined,
      q: params.get("q") || undefined,
      sort: params.get("sort") ?? undefined,
    };
  }
  if (parts.length === 1 && parts[0] === "new") return { name: "newQuote", from: params.get("from") || undefined };
  if (parts.length === 3 && parts[0] === "quotes" && parts[2] === "edit") {
    return { name: "newQuote", edit: decodeURIComponent(parts[1]) };
  }
  if (parts.length === 1 && parts[0] === "insights") return { name: "insights" };
  if (parts.length === 1 && parts[0] === "members") return { name: "members" };
  if (parts.length === 2 && parts[0] === "quotes") return { name: "quote", quoteId: decodeURIComponent(parts[1]) };
  // An invitation link; a token cut short by a mail client still lands here and is refused in words.
  if (parts[0] === "join") return { name: "join", token: decodeURIComponent(parts.slice(1).join("/")) };
  if (parts[0] === "supplier") {
    if (parts.length === 1) return { name: "supplierHome" };
    if (parts[1] === "invite") return { name: "supplierInvite", token: decodeURIComponent(parts.slice(2).join("/")) };
    if (parts.length === 3 && parts[1] === "n") return { name: "supplierNegotiation", negotiationId: decodeURIComponent(parts[2]) };
  }
  return { name: "notFound", path };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case "quotes": {
      const query = (["status", "q", "sort"] as const)
        .filter((key) => route[key])
        .map((key) => `${key}=${encodeURIComponent(route[key]!)}`)
        .join("&");
      return query ? `#/quotes?${query}` : "#/quotes";
    }
    case "newQuote":
      if (route.edit) return `#/quotes/${encodeURIComponent(route.edit)}/edit`;
      return route.from ? `#/new?from=${encodeURIComponent(route.from)}` : "#/new";
    case "quote":
      return `#/quotes/${encodeURIComponent(route.quoteId)}`;
    case "insights":
      return "#/insights";
    case "members":
      return "#/members";
    case "join":
      return `#/join/${encodeURIComponent(route.token)}`;
    case "supplierInvite":
      return `#/supplier/invite/${encodeURIComponent(route.token)}`;
    case "supplierHome":
      return "#/supplier";
    case "supplierNegotiation":
      return `#/supplier/n/${encodeURIComponent(route.negotiationId)}`;
    case "notFound":
      return `#${route.path}`;
  }
}

/** The link an invited person opens: the dashboard's own address with the join route. */
export function invitationLink(location: { origin: string; pathname: string }, token: string): string {
  return `${location.origin}${location.pathname}${hrefFor({ name: "join", token })}`;
}

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}
