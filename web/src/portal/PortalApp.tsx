import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import { ConnectionBanner } from "../components/ConnectionBanner";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { Splash } from "../components/Splash";
import type { Route } from "../lib/router";
import { InviteScreen } from "./InviteScreen";
import { NegotiationScreen } from "./NegotiationScreen";
import { NegotiationsScreen } from "./NegotiationsScreen";
import { PortalTopBar } from "./PortalTopBar";
import "./portal.css";

type PortalRoute = Extract<Route, { name: "supplierInvite" | "supplierHome" | "supplierNegotiation" }>;

/** The supplier portal for any signed-in person: their invitations and negotiations, no workspace needed. */
export function PortalApp({ route, signOut }: { route: PortalRoute; signOut(): Promise<void> }) {
  const mine = useQuery(api.workspaces.mine, {});
  if (mine === undefined) return <Splash label="Opening the supplier portal…" />;
  return (
    <div className="app portal" data-testid="portal">
      <PortalTopBar onHome={route.name === "supplierHome"} user={mine.user} hasWorkspace={mine.workspaces.length > 0} signOut={signOut} />
      <ConnectionBanner />
      <main className="content">
        <ErrorBoundary resetKey={JSON.stringify(route)}>
          {route.name === "supplierInvite" && <InviteScreen key={route.token} token={route.token} />}
          {route.name === "supplierHome" && <NegotiationsScreen />}
          {route.name === "supplierNegotiation" && <NegotiationScreen key={route.negotiationId} negotiationId={route.negotiationId} />}
        </ErrorBoundary>
      </main>
    </div>
  );
}
