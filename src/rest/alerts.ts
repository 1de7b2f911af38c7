/** Price and portfolio alerts. */
import { COST, type RouteSpec } from './route.js';

const ALERT = 'id condition symbol portfolioId threshold channels repeat active lastTriggeredAt createdAt';

export const ALERT_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/alerts',
    area: 'alerts',
    summary: 'Your alerts',
    document: `{ alerts { ${ALERT} } }`,
    result: ['alerts'],
    list: { kind: 'array', sort: ['createdAt', 'symbol', 'condition', 'active', 'lastTriggeredAt'] },
    cost: COST.list,
  },
  {
    method: 'POST',
    path: '/alerts',
    area: 'alerts',
    summary: 'Create an alert on a symbol or a portfolio',
    document: `mutation($input: AlertInput!) { createAlert(input: $input) { ${ALERT} } }`,
    body: 'input',
    result: ['createAlert'],
    status: 201,
    cost: COST.write,
  },
  {
    method: 'DELETE',
    path: '/alerts/:id',
    area: 'alerts',
    summary: 'Delete an alert',
    document: `mutation($id: ID!) { deleteAlert(id: $id) }`,
    result: ['deleteAlert'],
    wrap: 'deleted',
    cost: COST.write,
  },
];
