/**
 * The alerts domain's door: alerts, notifications, email settings and notification email.
 * The API uses AlertService and the GraphQL types (./schema.ts, registered by importing this door);
 * the worker runs startAlertWorker and startNotifyEmailWorker.
 */
import './schema.js';
export { AlertService, alertsChangedChannel, driftAlerts, type AlertInput, type DriftAlert, type EmailSettingsView } from './service.js';
export { startAlertWorker, AlertEvaluator, openSharedWorkerResources, type SharedWorkerResources } from './evaluator.js';
export {
  NotifyOutbox,
  startNotifyEmailWorker,
  unsubscribe,
  readUnsubscribeToken,
  unsubscribeUrl,
  wantsEmail,
  type EmailCategory,
  type NotifyEmailJob,
  type EmailAttachment,
  type EmailAttachmentLoader,
} from './mail.js';
export {
  insertNotification,
  publishNotification,
  deleteOldNotifications,
  NOTIFICATION_RETENTION_DAYS,
  type NotificationRecord,
} from './notifications.js';
export { alertRoutes } from './routes.js';
