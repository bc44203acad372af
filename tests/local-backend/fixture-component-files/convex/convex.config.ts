// The app of tests/local-backend/component-files.test.ts: the `docs` component, with vector search and file storage of its own.
import { defineApp } from "convex/server";
import docs from "../docs/convex.config.js";

const app = defineApp();
app.use(docs);
export default app;
