import type { Route } from "../lib/router";
import { SignInScreen } from "../screens/SignInScreen";
import "./portal.css";

type PortalRoute = Extract<Route, { name: "supplierInvite" | "supplierHome" | "supplierNegotiation" }>;

/** Signed out on a portal page: the one sign-in screen, in a supplier's words and with no workspace. */
export function PortalSignIn({ route }: { route: PortalRoute }) {
  return <SignInScreen signingInFor={route.name === "supplierInvite" ? "supplierInvited" : "supplier"} />;
}
