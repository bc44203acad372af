import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.interval("expire overdue negotiations", { minutes: 5 }, internal.expiry.expireDue, {});

export default crons;
