import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConvexAuthProvider } from "@convex-dev/auth/react";
import { ConvexReactClient } from "convex/react";
import { App } from "./App";
import "./styles.css";

// The Convex URL comes from the build (VITE_CONVEX_URL, for `vite` dev) or from
// /config.json, which `npm start` serves so one bundle works with any backend.
async function loadConvexUrl(): Promise<string> {
  const fromBuild = import.meta.env.VITE_CONVEX_URL as string | undefined;
  if (fromBuild) return fromBuild;
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as { convexUrl?: string };
  if (!config.convexUrl) throw new Error("/config.json has no convexUrl");
  return config.convexUrl;
}

const root = createRoot(document.getElementById("root")!);

loadConvexUrl().then(
  (url) => {
    const client = new ConvexReactClient(url);
    root.render(
      <StrictMode>
        {/* Sign-in tokens are kept in localStorage, per backend URL. */}
        <ConvexAuthProvider client={client}>
          <App />
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
