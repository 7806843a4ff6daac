import type { PortMapping } from './ports.js';

/** What the engine gets from a user-mode network helper (pasta or slirp4netns) it set up for a container. */
export interface UserModeNetwork {
  readonly netnsPath: string;
  /** The published ports, each with the host port it got (a free one where none was asked for). */
  readonly ports: readonly PortMapping[];
  /** --add-host style "name:address" entries for the container's /etc/hosts. */
  readonly extraHosts: readonly string[];
  /** The nameservers of the container's resolv.conf. */
  readonly nameservers: readonly string[];
  /**
   * Settles once the helper serves the namespace, which the container must
   * not use before; rejects with the helper's one-line error. Whoever starts
   * the container awaits it, and calls teardown() either way.
   */
  readonly ready: Promise<void>;
  /** Stops the helper and removes the namespace; never throws, for it runs in finally blocks. */
  teardown(): void;
}

/** Whether --network MODE runs a user-mode helper, which -p and -P need. */
export const usesUserMode = (mode: string): boolean => mode === 'pasta' || mode === 'slirp4netns';
