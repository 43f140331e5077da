/**
 * Which action each route of the API is (domain/permissions.ts says who may take it): one row
 * per `METHOD /url pattern`, public routes included. api/auth.ts refuses to register a route
 * without a row, and authorises every request from its row before the body is read. HEAD answers
 * as its GET; a trailing slash (`/console/`, `/docs/`) as the path without it.
 */
import type { Action } from '../domain/permissions.js';

export const ROUTE_PERMISSIONS = {
  // The service describes itself.
  'GET /': 'health',
  'GET /health': 'health',
  'GET /health/live': 'health',
  'GET /openapi.json': 'docs',
  'GET /schemas/policy.json': 'docs',
  // Swagger UI (@fastify/swagger-ui registers these under /docs).
  'GET /docs': 'docs',
  'GET /docs/json': 'docs',
  'GET /docs/yaml': 'docs',
  'GET /docs/static/*': 'docs',
  'GET /docs/static/index.html': 'docs',
  'GET /docs/static/swagger-initializer.js': 'docs',
  'GET /catalog': 'catalog',
  'GET /catalog/versions': 'catalog',
  'GET /catalog/synthetic': 'catalog',
  'GET /catalog/drafts': 'catalog.read-drafts',
  'POST /catalog/drafts': 'catalog.draft',
  'GET /catalog/drafts/:id': 'catalog.read-drafts',
  'POST /catalog/drafts/:id/submit': 'catalog.submit',
  'POST /catalog/drafts/:id/approve': 'catalog.approve',
  'POST /catalog/drafts/:id/reject': 'catalog.reject',
  'GET /matters': 'matters',
  'GET /matters/versions': 'matters',
  'GET /matters/:id': 'matters',
  'GET /matters/drafts': 'matters.read-drafts',
  'POST /matters/drafts': 'matters.draft',
  'GET /matters/drafts/:id': 'matters.read-drafts',
  'POST /matters/drafts/:id/submit': 'matters.submit',
  'POST /matters/drafts/:id/approve': 'matters.approve',
  'POST /matters/drafts/:id/reject': 'matters.reject',
  'POST /events': 'events.publish',
  'GET /summary': 'summary',
  'GET /metrics': 'metrics.prometheus',
  'GET /programme-metrics': 'metrics.programme',

  'GET /console': 'console.assets',
  'GET /console/app.js': 'console.assets',
  'GET /console/style.css': 'console.assets',
  'GET /console/session': 'console.session',
  'GET /auth/methods': 'session.sign-in',
  'POST /auth/sign-in': 'session.sign-in',
  'GET /auth/login': 'session.sign-in',
  'GET /auth/callback': 'session.sign-in',
  'POST /auth/sign-out': 'session.sign-out',

  // Reads of a draft also need policy.read-drafts, checked once the version's status is known.
  'GET /policies': 'policy.read',
  'GET /policies/checks': 'policy.read',
  'GET /policies/:id/versions/:version': 'policy.read',
  'GET /policies/:id/diff': 'policy.read',
  'GET /policies/:id/history': 'policy.history',
  'POST /policies': 'policy.draft',
  'PUT /policies/:id/versions/:version': 'policy.edit',
  'POST /policies/:id/versions/:version/validate': 'policy.validate',
  'POST /policies/:id/versions/:version/test': 'policy.test',
  'POST /policies/:id/versions/:version/simulate': 'policy.simulate',
  'GET /policies/:id/versions/:version/simulation': 'policy.simulation.read',
  'POST /policies/:id/versions/:version/submit': 'policy.submit',
  'POST /policies/:id/versions/:version/approve': 'policy.approve',
  'POST /policies/:id/versions/:version/reject': 'policy.reject',
  'POST /policies/:id/versions/:version/publish': 'policy.publish',
  'POST /policies/:id/versions/:version/retire': 'policy.retire',
  'POST /policies/:id/versions/:version/explain': 'policy.explain-hypothetical',

  'GET /sweeps': 'sweep.read',
  'GET /sweeps/:id': 'sweep.read',
  'POST /sweeps': 'sweep.launch',
  'POST /sweeps/:id/approve': 'sweep.approve',
  'POST /sweeps/:id/pause': 'sweep.pause',
  'POST /sweeps/:id/resume': 'sweep.resume',
  'POST /sweeps/:id/cancel': 'sweep.cancel',

  'GET /payroll/batches': 'payroll.read',
  'GET /payroll/batches/:id': 'payroll.read',
  'GET /payroll/batches/:id/lines': 'payroll.read',
  'POST /payroll/batches': 'payroll.start',
  'POST /payroll/batches/:id/release': 'payroll.release',
  'POST /payroll/batches/:id/export': 'payroll.export',
  'GET /payroll/batches/:id/files/pain001.xml': 'payroll.read',
  'GET /payroll/batches/:id/files/summary.csv': 'payroll.read',
  'POST /payroll/batches/:id/returns': 'payroll.returns',
  'GET /payroll/returns': 'payroll.read',
  'POST /payroll/returns/:id/close': 'payroll.returns',
  'GET /entitlements': 'entitlement.read',
  'POST /entitlements/:policyId/:ref/suspend': 'entitlement.manage',
  'POST /entitlements/:policyId/:ref/resume': 'entitlement.manage',
  'POST /entitlements/:policyId/:ref/end': 'entitlement.manage',
  'GET /ledger/programme': 'ledger.read',
  'GET /ledger/collections': 'ledger.read',
  'GET /ledger/collections.csv': 'ledger.read',
  'POST /ledger/collections/:ref': 'ledger.collect',

  'GET /cases': 'case.search',
  'POST /cases/search': 'case.search',
  'GET /cases/:caseId/timeline': 'case.timeline',
  'POST /cases/:caseId/unmask': 'case.unmask',
  'POST /cases/:caseId/explain': 'case.explain',
  'POST /cases/:caseId/inspector': 'case.assign-inspector',

  'POST /objections': 'objection.file',
  'GET /objections': 'objection.read',
  'GET /objections/:id': 'objection.read',
  'POST /objections/:id/correct': 'objection.correct',
  'POST /objections/:id/confirm': 'objection.confirm-correction',
  'POST /objections/:id/resolve': 'objection.resolve',

  'GET /outreach': 'outreach.read',
  'POST /outreach/data-requests': 'outreach.act',
  'POST /outreach/data-requests/:id/answered': 'outreach.act',
  'POST /outreach/contacts': 'outreach.act',
  // Fact requests (数据需求): staff with their token; departments with their signed request, only those filed to them.
  'POST /fact-requests': 'fact-request.file',
  'GET /fact-requests': 'fact-request.read',
  'GET /fact-requests/:id': 'fact-request.read',
  'POST /fact-requests/:id/withdraw': 'fact-request.withdraw',
  'POST /verifications': 'verification.request',
  'GET /verifications': 'verification.department-read',
  'GET /verifications/:id': 'verification.department-read',
  'GET /department/verifications': 'verification.certify',
  'POST /department/verifications/:id/answer': 'verification.certify',
  'GET /staff/verifications': 'verification.read',
  'POST /staff/verifications/:id/answer': 'verification.answer',
  'GET /department/fact-requests': 'fact-request.department-read',
  'GET /department/fact-requests/:id': 'fact-request.department-read',
  'POST /department/fact-requests/:id/fact': 'fact-request.answer',
  'POST /department/fact-requests/:id/refuse': 'fact-request.answer',
  // Worklists (任务): which types a role sees, and who holds a task, are checked in services/tasks/service.ts.
  'GET /tasks': 'task.read',
  'GET /tasks/:id': 'task.read',
  'POST /tasks/:id/claim': 'task.claim',
  'POST /tasks/:id/release': 'task.claim',
  'POST /tasks/:id/reassign': 'task.reassign',
  'POST /tasks/:id/complete': 'task.complete',

  'GET /me': 'me.read',
  'GET /me/inbox': 'me.read',
  'GET /me/decisions': 'me.read',
  'GET /me/benefits': 'me.read',
  'GET /me/payments': 'me.read',
  'GET /me/offers': 'me.read',
  'GET /me/pledges': 'me.read',
  'GET /me/pledges/:key/notice': 'me.read',
  'POST /me/pledges/:key/sign': 'me.act',
  'GET /me/credit-records': 'me.read',
  'GET /credit-records/export': 'credit.export',
  'GET /me/access': 'me.read',
  'POST /me/inbox/:key/read': 'me.act',
  'POST /me/offers/:key/confirm': 'me.act',
  'POST /me/offers/:key/decline': 'me.act',
  'GET /me/certificates': 'me.read',
  'GET /me/certificates/:id': 'me.read',
  'GET /me/certificates/:id/pdf': 'me.read',

  'POST /certificates/verify': 'certificate.verify',
  'GET /certificates/:id/verification': 'certificate.verify',
  'GET /certificates/revocations': 'seal.read',
  'GET /seals': 'seal.read',
  'POST /certificates/:id/revoke': 'certificate.revoke',
  'POST /seals/:department/rotate': 'seal.manage',
  'POST /seals/:id/revoke': 'seal.manage',
  'POST /me/codes': 'code.show',

  // Proof-free applications (依申请 免提交): the pre-filled form, the submission, an upload asked for, the reads.
  'GET /applications/matters': 'application.read',
  'GET /applications/form/:matter': 'application.apply',
  'POST /applications': 'application.apply',
  'GET /applications': 'application.read',
  'GET /applications/:id': 'application.read',
  'POST /applications/:id/uploads': 'application.apply',
  // The service window (线下兜底): a visit records the person's presence; acting for them needs the open visit.
  'POST /window/visits': 'window.serve',
  'GET /window/visits/:visitId': 'window.serve',
  'POST /window/visits/:visitId/close': 'window.serve',
  'POST /window/visits/:visitId/offers/:offerId/answer': 'window.act',
  'GET /window/visits/:visitId/pledges/:pledgeKey/notice': 'window.act',
  'POST /window/visits/:visitId/pledges/:pledgeKey/sign': 'window.act',
  'POST /window/visits/:visitId/objections': 'window.act',
  'GET /window/visits/:visitId/notices/:noticeId/pdf': 'window.act',
  'GET /window/visits/:visitId/certificates/:certificateId/pdf': 'window.act',
  'GET /notices/prints/:printId/verification': 'notice.verify',
  'POST /codes/scan': 'code.scan',
} as const satisfies Record<string, Action>;

/** A route as the table names it: `GET /policies/:id/versions/:version`. */
export type RouteKey = keyof typeof ROUTE_PERMISSIONS;

/** The table's key for a method and URL pattern: HEAD is its GET, a trailing slash is dropped. */
export function routeKey(method: string, url: string): string {
  const path = url.length > 1 ? url.replace(/\/$/, '') : url;
  return `${method === 'HEAD' ? 'GET' : method} ${path}`;
}

/** The action of a route, or undefined when the table has no row for it. */
export function actionOfRoute(method: string, url: string): Action | undefined {
  const key = routeKey(method, url);
  return Object.hasOwn(ROUTE_PERMISSIONS, key) ? ROUTE_PERMISSIONS[key as RouteKey] : undefined;
}
