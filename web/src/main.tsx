import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConvexAuthProvider } from "@convex-dev/auth/react";
import { ConvexReactClient } from "convex/react";
import { App } from "./App";
import { DeploymentProvider, type Deployment } from "./lib/deployment";
import "./styles.css";

// The Convex URL (and Studio's) comes from the build (VITE_CONVEX_URL, for `vite` dev) or from
// /config.json, which `npm start` serves so one bundle works with any backend.
async function loadConfig(): Promise<{ convexUrl: string } & Deployment> {
  const fromBuild = import.meta.env.VITE_CONVEX_URL as string | undefined;
  if (fromBuild) return { convexUrl: fromBuild, studioUrl: (import.meta.env.VITE_STUDIO_URL as string | undefined) || undefined };
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as { convexUrl?: string; studioUrl?: string };
  if (!config.convexUrl) throw new Error("/config.json has no convexUrl");
  return { convexUrl: config.convexUrl, studioUrl: typeof config.studioUrl === "string" ? config.studioUrl : undefined };
}

const root = createRoot(document.getElementById("root")!);

loadConfig().then(
  ({ convexUrl, ...deployment }) => {
    const client = new ConvexReactClient(convexUrl);
    root.render(
      <StrictMode>
        {/* Sign-in tokens are kept in localStorage, per backend URL. */}
        <ConvexAuthProvider client={client}>
          <DeploymentProvider value={deployment}>
            <App />
          </DeploymentProvider>
        </ConvexAuthProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main className="boot-error" role="alert">
        <h1>Parley cannot find its backend</h1>
        <p>
          Start the dashboard with <code>npm start</code>, or set <code>VITE_CONVEX_URL</code> when
          running <code>npm run dev:web</code>.
        </p>
        <p className="muted">{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  },
);
