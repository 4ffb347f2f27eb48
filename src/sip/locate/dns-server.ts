import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsLookups } from './locate-server.js';

/** A `--dns` value that is not HOST:PORT. */
export class DnsServerError extends Error {
  constructor(readonly value: string) {
    super(`--dns ${value} is not an IP address and port (hint: --dns 127.0.0.53:5353, --dns '[::1]:53')`);
    this.name = 'DnsServerError';
  }
}

/** `127.0.0.53:5353`, `[::1]:53`, or a bare address (port 53): the form `Resolver.setServers` takes. */
export function parseDnsServer(value: string): string {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? 53 : Number(match[3]);
  if (!address || isIP(address) === 0 || !(port > 0 && port < 65536)) throw new DnsServerError(value);
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Node's DNS resolver (c-ares): the system's servers, or exactly `server` when given. */
export function dnsLookups(server?: string): DnsLookups {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (server !== undefined) resolver.setServers([server]);
  return resolver as unknown as DnsLookups;
}
