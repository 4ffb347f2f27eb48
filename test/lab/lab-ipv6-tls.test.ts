import { labOverIpv6 } from '../support/lab-over-transport.js';

labOverIpv6('tls');
