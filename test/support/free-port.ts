export { freePort } from '../../infra/ports.js';
