import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// One config for the dashboard (Vite, root web/) and for every test project.
export default defineConfig({
  root: "web",
  plugins: [react()],
  build: { outDir: "../dist/web", emptyOutDir: true },
  server: { host: "127.0.0.1" },
  test: {
    root: ".",
    projects: [
      {
        extends: true,
        test: {
          name: "convex",
          root: ".",
          environment: "edge-runtime",
          include: ["tests/convex/**/*.test.ts"],
          // The components ship TypeScript test helpers and extensionless ESM imports: vite resolves them.
          server: { deps: { inline: ["convex-test", /@convex-dev\//] } },
        },
      },
      {
        extends: true,
        test: {
          name: "node",
          root: ".",
          environment: "node",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/convex/**", "tests/e2e/**"],
          testTimeout: 60_000,
          // A hook that boots the embedded backend bundles convex/ first: on a loaded two-core machine that can pass 10 s.
          hookTimeout: 60_000,
          // convex-test's component registrations (tests/mastra) load the components' TypeScript sources.
          server: { deps: { inline: [/@convex-dev\/(aggregate|presence|rate-limiter|batch-worker)\//] } },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          root: ".",
          environment: "node",
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
