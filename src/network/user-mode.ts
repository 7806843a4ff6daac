/** What the engine gets from a user-mode network helper (pasta or slirp4netns) it set up for a container. */
export interface UserModeNetwork {
  readonly netnsPath: string;
  /** --add-host style "name:address" entries for the container's /etc/hosts. */
  readonly extraHosts: readonly string[];
  /** The nameservers of the container's resolv.conf. */
  readonly nameservers: readonly string[];
  /** Stops the helper and removes the namespace; never throws, for it runs in finally blocks. */
  teardown(): void;
}
