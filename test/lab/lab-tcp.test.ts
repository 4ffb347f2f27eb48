import { labOverTransport } from '../support/lab-over-transport.js';

labOverTransport('tcp');
