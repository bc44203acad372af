import { defineComponent } from "convex/server";

// A component that keeps embeddings and files of its own, as @convex-dev/rag and @convex-dev/agent do.
export default defineComponent("docs");
