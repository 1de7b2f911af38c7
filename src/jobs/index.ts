/** jobs' door: scheduled housekeeping and the queue operators' view (metrics, dashboard). Outside jobs, import from here only. */
export { startMaintenanceWorker } from './maintenance.js';
export { QueueOps, registerQueueDashboard } from './ops.js';
