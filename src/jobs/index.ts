/** jobs' door: scheduled housekeeping (and, later, alerts and reports). Outside jobs, import from here only. */
export { startMaintenanceWorker } from './maintenance.js';
