import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.interval("expire overdue negotiations", { minutes: 5 }, internal.expiry.expireDue, {});
crons.interval("prune old Mastra workflow runs", { hours: 1 }, internal.mastra.prune, {});
crons.interval("index older quotes for search", { minutes: 1 }, internal.quotes.backfillSearchText, {});
crons.interval("delete uploads never attached", { minutes: 15 }, internal.attachments.sweepUploads, {});
crons.interval("remove presence rooms of closed negotiations", { hours: 24 }, internal.presenceSweep.sweepClosed, {});

export default crons;
