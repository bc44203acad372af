import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.interval("expire overdue negotiations", { minutes: 5 }, internal.expiry.expireDue, {});
crons.interval("prune old Mastra workflow runs", { hours: 1 }, internal.mastra.prune, {});

export default crons;
