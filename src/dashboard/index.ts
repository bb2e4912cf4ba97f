export { startDashboard } from './dashboardServer.js';
export type { DashboardOptions } from './dashboardServer.js';
export { CONTENT_SECURITY_POLICY } from './page.js';
