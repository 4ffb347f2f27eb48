export { LabProxy } from './lab-proxy.js';
export { ProxyConfigError, type LabProxyOptions, type ProxyDigestAlgorithm } from './proxy-options.js';
export { LocationService, type Binding } from './location-service.js';
export type { InviteRelayState } from './invite-relay.js';
export type { NonInviteRelayState } from './non-invite-relay.js';
export { IllegalRelayTransitionError, ProxyStateError } from './proxy-errors.js';
export { loadUsersFile, parseUsers, usersFromBots, UsersFileError, UsersFileErrors } from './users.js';
