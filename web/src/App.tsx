import { useAuthActions } from "@convex-dev/auth/react";
import { useConvexAuth, useMutation, useQuery } from "convex/react";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { api } from "../../convex/_generated/api";
import { AuthCard } from "./components/AuthCard";
import { ConnectionBanner } from "./components/ConnectionBanner";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Splash } from "./components/Splash";
import { TopBar } from "./components/TopBar";
import { describeError } from "./lib/errors";
import { hrefFor, isPortalRoute, useRoute, type Route } from "./lib/router";
import { AccountProvider, useAccount, type Notice } from "./lib/workspace";
import { readPendingCurrency, readPendingWorkspace, storePendingCurrency, storePendingWorkspace } from "./lib/workspaceChoice";
import { InsightsScreen } from "./screens/InsightsScreen";
import { JoinScreen } from "./screens/JoinScreen";
import { MembersScreen } from "./screens/MembersScreen";
import { NewQuoteScreen } from "./screens/NewQuoteScreen";
import { NoWorkspaceScreen } from "./screens/NoWorkspaceScreen";
import { QuoteDetailScreen } from "./screens/QuoteDetailScreen";
import { QuotesScreen } from "./screens/QuotesScreen";
import { SignInScreen } from "./screens/SignInScreen";
import { PortalApp } from "./portal/PortalApp";
import { PortalLinkCard } from "./portal/PortalLinkCard";
import { PortalSignIn } from "./portal/PortalSignIn";

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "quotes":
      return <QuotesScreen status={route.status} />;
    case "newQuote":
      return <NewQuoteScreen />;
    case "quote":
      return <QuoteDetailScreen quoteId={route.quoteId} />;
    case "insights":
      return <InsightsScreen />;
    case "members":
      return <MembersScreen />;
    case "join":
      return <JoinScreen token={route.token} />;
    case "supplierInvite":
    case "supplierHome":
    case "supplierNegotiation":
      // App renders the portal for these before any workspace screen.
      return null;
    case "notFound":
      return (
        <section className="screen">
          <h1>Page not found</h1>
          <p>
            There is nothing at <code>{route.path}</code>. <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
          </p>
        </section>
      );
  }
}

/**
 * Who is signed in decides the screen: the sign-in screen, then (once Convex
 * has accepted the token) the user's workspaces. Nothing renders a screen it is
 * not sure of: while either is unknown, the splash shows.
 */
export function App() {
  const route = useRoute();
  const { isLoading, isAuthenticated } = useConvexAuth();
  const { signOut } = useAuthActions();
  const [signingOut, setSigningOut] = useState(false);
  // Signing out ends the session before it drops the token: unmount the
  // workspace first, so no query of it fails on screen in between.
  const leave = useCallback(async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
    }
  }, [signOut]);
  if (isLoading) return <Splash label="Loading Parley…" />;
  if (!isAuthenticated) return isPortalRoute(route) ? <PortalSignIn route={route} /> : <SignInScreen invited={route.name === "join"} />;
  if (signingOut) return <Splash label="Signing out…" />;
  // A supplier's person has no workspace: the portal needs none, whoever is signed in.
  if (isPortalRoute(route)) {
    return (
      <ErrorBoundary fallback={(message) => <SessionProblem message={message} />}>
        <PortalApp route={route} signOut={leave} />
      </ErrorBoundary>
    );
  }
  return (
    // A session ended elsewhere (signed out in another tab, account gone) fails every query: offer to sign in again.
    <ErrorBoundary fallback={(message) => <SessionProblem message={message} />}>
      <SignedInApp route={route} signOut={leave} />
    </ErrorBoundary>
  );
}

function SessionProblem({ message }: { message: string }) {
  const { signOut } = useAuthActions();
  return (
    <AuthCard title="Parley could not open your account" testId="session-problem">
      <p>{message}</p>
      <button type="button" className="button-primary auth-submit" onClick={() => void signOut()}>
        Sign in again
      </button>
    </AuthCard>
  );
}

function SignedInApp({ route, signOut }: { route: Route; signOut(): Promise<void> }) {
  const mine = useQuery(api.workspaces.mine, {});
  const [notice, setNotice] = useState<Notice>();
  const announce = useCallback(
    (message: string | undefined, workspaceId?: string) => setNotice(message === undefined ? undefined : { message, workspaceId }),
    [],
  );
  if (mine === undefined) return <Splash label="Opening your workspace…" />;
  return (
    // Keyed by user: another account signing in on this browser starts afresh.
    <AccountProvider key={mine.user._id} user={mine.user} workspaces={mine.workspaces} notice={notice} announce={announce}
      signOut={signOut}>
      <Gate route={route} />
    </AccountProvider>
  );
}

/** Creates the workspace a new account asked for, then shows the workspace (or the way to get one). */
function Gate({ route }: { route: Route }) {
  const account = useAccount();
  const createWorkspace = useMutation(api.workspaces.create);
  const [pending, setPending] = useState(readPendingWorkspace);
  const [created, setCreated] = useState<string>();
  const [setupError, setSetupError] = useState<string>();
  const started = useRef(false);
  const { workspaces, select, announce } = account;

  useEffect(() => {
    if (!pending || started.current) return;
    // Invited, or not a new account after all: nothing to create.
    if (workspaces.length > 0 || route.name === "join") {
      storePendingWorkspace(null);
      setPending(null);
      return;
    }
    started.current = true;
    const currency = readPendingCurrency() ?? undefined;
    storePendingCurrency(null);
    createWorkspace({ name: pending, ...(currency ? { currency } : {}) }).then(
      (workspaceId) => {
        storePendingWorkspace(null);
        select(workspaceId);
        announce(`Your workspace “${pending.trim()}” is ready — you are its owner.`, workspaceId);
        setCreated(workspaceId);
        setPending(null);
      },
      (error: unknown) => {
        storePendingWorkspace(null);
        setSetupError(describeError(error).message);
        setPending(null);
      },
    );
  }, [pending, workspaces.length, route.name, createWorkspace, select, announce]);

  const waiting = pending !== null || (created !== undefined && !workspaces.some((w) => w._id === created));
  if (waiting) return <Splash label={`Setting up your workspace${pending ? ` “${pending}”` : ""}…`} />;

  if (route.name === "join") {
    return (
      <Shell route={route}>
        <JoinScreen token={route.token} />
      </Shell>
    );
  }
  if (account.current) return <Shell route={route}><Screen route={route} /></Shell>;
  // No workspace: a brand's new owner makes one; a supplier's person belongs in the portal.
  return (
    <Shell route={route}>
      <NoWorkspaceScreen problem={setupError} />
      <PortalLinkCard />
    </Shell>
  );
}

function Shell({ route, children }: { route: Route; children: ReactNode }) {
  const { current, notice, announce } = useAccount();
  return (
    <div className="app" data-testid="app" data-workspace-id={current?._id ?? ""} data-role={current?.role ?? ""}>
      <TopBar route={route} />
      <ConnectionBanner />
      {notice && (
        <div className="page-notice" role="status" data-testid="page-notice">
          <span>{notice}</span>
          <button type="button" className="button-link" onClick={() => announce(undefined)} data-testid="dismiss-notice">
            Dismiss
          </button>
        </div>
      )}
      <main className="content">
        <ErrorBoundary resetKey={`${current?._id ?? ""}:${current?.role ?? ""}:${JSON.stringify(route)}`}>{children}</ErrorBoundary>
      </main>
    </div>
  );
}
