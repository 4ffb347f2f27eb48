export { startRelay, RelayConfigError, type Relay, type RelayOptions, type RelayStats, type DirectionStats, type RelayDatagramEvent, type RelayDirection } from './udp-relay.js';
export { parseDelayPair, parsePercentPair, FaultSpecError, NO_FAULTS, type DirectionFaults } from './fault-spec.js';
export { seededRandom, type Random } from '../util/seeded-random.js';
export { formatRelayStats } from './format-stats.js';
