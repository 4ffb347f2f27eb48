import { labOverTransport } from '../support/lab-over-transport.js';

labOverTransport('wss');
