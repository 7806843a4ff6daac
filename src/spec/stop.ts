/**
 * How long a stop waits for the container's stop signal to work before
 * SIGKILL, unless told: podman's default (containers.conf stop_timeout),
 * which inspect shows as Config.StopTimeout.
 */
export const STOP_TIMEOUT_SECONDS = 10;
