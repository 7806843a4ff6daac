/*
 * tpod launcher: the single-threaded entry point.
 *
 * The kernel refuses unshare(CLONE_NEWUSER) and setns() into a user namespace
 * from a multithreaded process, and Node has threads before its first line of
 * JavaScript. So this program does the namespace work and then execs Node on
 * the compiled CLI, already inside the user's namespace:
 *
 *   1. pick a private runtime directory ($XDG_RUNTIME_DIR/tpod, else
 *      /tmp/tpod-$UID), trusting it only when we own it and nobody else can
 *      write to it;
 *   2. find the pause process from pause.pid and check that it is the one we
 *      started (same start time) and that its id maps still match
 *      /etc/subuid and /etc/subgid;
 *   3. otherwise, under a lock, start a new one: it unshares USER|MNT, we map
 *      it with newuidmap/newgidmap, it double-forks into the background;
 *   4. setns() into its user and mount namespaces, return to the caller's
 *      working directory, and exec Node.
 *
 * Knows nothing about tpod's commands: argv, environment, stdio and signals
 * pass through untouched, and the exit status is Node's own.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "idmap.h"

#ifndef TPOD_NODE
#define TPOD_NODE "/usr/bin/node"
#endif

#define EXIT_TPOD 125
#define PAUSE_NAME "tpod-pause"

static void die (const char *fmt, ...) __attribute__ ((noreturn, format (printf, 1, 2)));

static void
die (const char *fmt, ...)
{
  va_list ap;
  fputs ("Error: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (EXIT_TPOD);
}

static void
warn (const char *fmt, ...)
{
  va_list ap;
  fputs ("Warning: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

/* A directory is ours when it is a real directory (not a link), owned by us,
   and neither group nor others may write to it. */
static int
dir_is_private (const char *path, uid_t uid, struct stat *st)
{
  if (lstat (path, st) < 0)
    return 0;
  return S_ISDIR (st->st_mode) && st->st_uid == uid && (st->st_mode & 022) == 0;
}

static int
make_private_dir (const char *path, uid_t uid)
{
  struct stat st;
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return 0;
  return dir_is_private (path, uid, &st);
}

/* $XDG_RUNTIME_DIR/tpod when that directory is ours (after `su` it may be the
   other user's), else /tmp/tpod-$UID, which must then be ours alone. */
static void
choose_runtime_dir (uid_t uid, char *out, size_t len)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  struct stat st;

  if (xdg && xdg[0] == '/' && dir_is_private (xdg, uid, &st))
    {
      snprintf (out, len, "%s/tpod", xdg);
      if (make_private_dir (out, uid))
        return;
    }
  snprintf (out, len, "/tmp/tpod-%u", (unsigned) uid);
  if (make_private_dir (out, uid))
    return;
  if (lstat (out, &st) == 0 && st.st_uid != uid)
    die ("%s belongs to uid %u, not to you; remove it or set XDG_RUNTIME_DIR to a directory of yours",
         out, (unsigned) st.st_uid);
  die ("%s is not a private directory (mode 0700, not a symlink): %s; remove it and try again", out,
       errno ? strerror (errno) : "wrong type or mode");
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. A pid
   that was reused by another program has another start time. 0 when the
   process is gone or a zombie (a zombie keeps its pid but no namespaces, and
   where PID 1 does not reap, as in some containers, it stays one). */
static unsigned long long
process_start_time (pid_t pid)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may contain spaces and parentheses: count fields after the last ')'. */
  char *p = strrchr (buf, ')');
  if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
    return 0;
  int field = 2;
  for (p++; *p && field < 22; p++)
    if (*p == ' ')
      field++;
  return strtoull (p, NULL, 10);
}

struct pause_record
{
  pid_t pid;
  unsigned long long start_time;
};

/* pause.pid (and each file of conmon/) holds "PID STARTTIME". It is read only
   when it is a regular file that we own and nobody else can write, in a
   directory that is ours. */
static int
read_process_record (int dirfd, const char *name, uid_t uid, struct pause_record *rec)
{
  char buf[64];
  struct stat st;
  int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != uid || (st.st_mode & 022))
    {
      close (fd);
      return 0;
    }
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  long pid;
  if (sscanf (buf, "%ld %llu", &pid, &rec->start_time) != 2 || pid <= 1)
    return 0;
  rec->pid = (pid_t) pid;
  return 1;
}

static void
write_pause_record (int dirfd, const struct pause_record *rec)
{
  char buf[64];
  int len = snprintf (buf, sizeof buf, "%d %llu\n", (int) rec->pid, rec->start_time);
  int fd = openat (dirfd, "pause.pid.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, buf, len) != len || fsync (fd) < 0 || close (fd) < 0)
    die ("cannot write the pause process's pid file: %s", strerror (errno));
  if (renameat (dirfd, "pause.pid.tmp", dirfd, "pause.pid") < 0)
    die ("cannot write the pause process's pid file: %s", strerror (errno));
}

static int
pidfd_open_ (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

/* A pidfd for the recorded pause process, or -1 when it is gone or the pid now
   names another process. Opening the pidfd first and checking the start time
   after closes the window in which the pid could be reused. */
static int
open_pause (const struct pause_record *rec)
{
  int pidfd = pidfd_open_ (rec->pid);
  if (pidfd < 0)
    return -1;
  if (process_start_time (rec->pid) != rec->start_time)
    {
      close (pidfd);
      return -1;
    }
  return pidfd;
}

static ssize_t
read_small_file (const char *path, char *buf, size_t len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read (fd, buf, len - 1);
  close (fd);
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

static int
maps_match (pid_t pid, const char *which, const struct idmap *want)
{
  char path[64], buf[4096];
  struct idmap have;
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, which);
  if (read_small_file (path, buf, sizeof buf) < 0)
    return 0;
  idmap_parse_proc (buf, &have);
  return idmap_equal (&have, want);
}

/* How many of our processes, other than the pause process, still live in its
   user namespace (containers, `tpod unshare` shells). */
static int
processes_in_namespace (pid_t pause_pid)
{
  char path[64], ns[64], other[64];
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pause_pid);
  ssize_t n = readlink (path, ns, sizeof ns - 1);
  if (n < 0)
    return 0;
  ns[n] = '\0';

  int count = 0;
  DIR *proc = opendir ("/proc");
  if (!proc)
    return 0;
  struct dirent *de;
  while ((de = readdir (proc)))
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || pid <= 0 || pid == pause_pid)
        continue;
      snprintf (path, sizeof path, "/proc/%ld/ns/user", pid);
      n = readlink (path, other, sizeof other - 1);
      if (n < 0)
        continue;
      other[n] = '\0';
      if (strcmp (ns, other) == 0)
        count++;
    }
  closedir (proc);
  return count;
}

/* Ends the pause process and waits until it is gone, so its namespace is not
   found again by the next check. */
static void
end_pause (int pidfd)
{
  syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  poll (&pfd, 1, 5000);
}

static int
is_executable_setid (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return -1;
  if (st.st_mode & S_ISUID)
    return 1;
  return getxattr (path, "security.capability", NULL, 0) > 0;
}

/* The first NAME on PATH (plus /usr/sbin and /usr/bin, which a user's PATH
   may lack), or NULL. */
static char *
find_program (const char *name)
{
  const char *path = getenv ("PATH");
  char *dirs = NULL;
  if (asprintf (&dirs, "%s:/usr/bin:/usr/sbin:/bin:/sbin", path ? path : "") < 0)
    return NULL;
  char *save = NULL, *found = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      char *candidate;
      if (*d == '\0' || asprintf (&candidate, "%s/%s", d, name) < 0)
        continue;
      if (access (candidate, X_OK) == 0)
        {
          found = candidate;
          break;
        }
      free (candidate);
    }
  free (dirs);
  return found;
}

static void
run_mapping_tool (const char *tool, pid_t pid, const struct idmap *map)
{
  char *path = find_program (tool);
  if (!path)
    die ("%s is missing: install the uidmap package (sudo apt-get install uidmap)", tool);
  if (is_executable_setid (path) != 1)
    die ("%s is neither setuid root nor has file capabilities: reinstall the uidmap package (sudo apt-get install --reinstall uidmap)",
         path);

  char *argv[3 + 3 * IDMAP_MAX + 1];
  char numbers[3 * IDMAP_MAX + 1][16];
  int argc = 0, k = 0;
  argv[argc++] = path;
  snprintf (numbers[k], sizeof numbers[k], "%d", (int) pid);
  argv[argc++] = numbers[k++];
  for (int i = 0; i < map->count; i++)
    {
      unsigned long v[3] = { map->e[i].inside, map->e[i].outside, map->e[i].count };
      for (int j = 0; j < 3; j++)
        {
          snprintf (numbers[k], sizeof numbers[k], "%lu", v[j]);
          argv[argc++] = numbers[k++];
        }
    }
  argv[argc] = NULL;

  pid_t child = fork ();
  if (child < 0)
    die ("fork: %s", strerror (errno));
  if (child == 0)
    {
      execv (path, argv);
      _exit (127);
    }
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    die ("%s could not map the subordinate ids of /etc/%s (it printed why above); check that the range is yours and not used twice",
         path, strcmp (tool, "newuidmap") == 0 ? "subuid" : "subgid");
  free (path);
}

static int
write_proc_file (pid_t pid, const char *name, const char *text)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, name);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  close (fd);
  return n == (ssize_t) strlen (text) ? 0 : -1;
}

static const char *
userns_disabled_hint (void)
{
  char buf[32];
  if (read_small_file ("/proc/sys/kernel/unprivileged_userns_clone", buf, sizeof buf) > 0 && buf[0] == '0')
    return "unprivileged user namespaces are disabled: sudo sysctl -w kernel.unprivileged_userns_clone=1";
  if (read_small_file ("/proc/sys/user/max_user_namespaces", buf, sizeof buf) > 0 && buf[0] == '0')
    return "user namespaces are disabled: sudo sysctl -w user.max_user_namespaces=15000";
  if (read_small_file ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf, sizeof buf) > 0
      && buf[0] == '1')
    return "AppArmor forbids unprivileged user namespaces: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
  return NULL;
}

static void
read_exact (int fd, void *buf, size_t len, const char *what)
{
  ssize_t n;
  while ((n = read (fd, buf, len)) < 0 && errno == EINTR)
    ;
  if (n != (ssize_t) len)
    die ("could not start the pause process (%s)", what);
}

/* The pause process only keeps the namespaces alive: no fds, no terminal, its
   own session, in / so it pins no directory. */
static void __attribute__ ((noreturn))
pause_forever (void)
{
  setsid ();
  if (chdir ("/") < 0)
    _exit (1);
  int null = open ("/dev/null", O_RDWR);
  if (null >= 0)
    {
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (null, 2);
    }
  syscall (SYS_close_range, 3, ~0U, 0);
  prctl (PR_SET_NAME, PAUSE_NAME, 0, 0, 0);
  sigset_t all;
  sigfillset (&all);
  sigdelset (&all, SIGTERM);
  sigprocmask (SIG_SETMASK, &all, NULL);
  for (;;)
    pause ();
}

/* Starts the pause process in new user and mount namespaces and maps it.
   The child that unshares double-forks, so the pause process belongs to
   init (or the session's subreaper), not to the Node we exec next. */
static struct pause_record
create_pause (const struct idmap *uids, const struct idmap *gids, uid_t uid, gid_t gid)
{
  int to_parent[2], to_child[2];
  if (pipe2 (to_parent, O_CLOEXEC) < 0 || pipe2 (to_child, O_CLOEXEC) < 0)
    die ("pipe: %s", strerror (errno));

  pid_t child = fork ();
  if (child < 0)
    die ("fork: %s", strerror (errno));
  if (child == 0)
    {
      close (to_parent[0]);
      close (to_child[1]);
      int err = unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0 ? errno : 0;
      if (write (to_parent[1], &err, sizeof err) != sizeof err || err)
        _exit (1);
      char go;
      if (read (to_child[0], &go, 1) != 1)
        _exit (1);
      pid_t pause_pid = fork ();
      if (pause_pid == 0)
        pause_forever ();
      if (write (to_parent[1], &pause_pid, sizeof pause_pid) != sizeof pause_pid)
        _exit (1);
      _exit (0);
    }
  close (to_parent[1]);
  close (to_child[0]);

  int err;
  read_exact (to_parent[0], &err, sizeof err, "no answer from the new namespace");
  if (err)
    {
      const char *hint = userns_disabled_hint ();
      die ("cannot create a user namespace: %s%s%s", strerror (err), hint ? "; " : "", hint ? hint : "");
    }

  if (uids->count > 1 || gids->count > 1)
    {
      run_mapping_tool ("newuidmap", child, uids);
      run_mapping_tool ("newgidmap", child, gids);
    }
  else
    {
      /* Without subordinate ids only our own ids can be mapped, and the
         kernel then requires setgroups to be denied. */
      char line[64];
      snprintf (line, sizeof line, "0 %u 1\n", (unsigned) uid);
      if (write_proc_file (child, "uid_map", line) < 0)
        die ("cannot write the uid map of the new namespace: %s", strerror (errno));
      snprintf (line, sizeof line, "0 %u 1\n", (unsigned) gid);
      if (write_proc_file (child, "setgroups", "deny") < 0 || write_proc_file (child, "gid_map", line) < 0)
        die ("cannot write the gid map of the new namespace: %s", strerror (errno));
    }

  if (write (to_child[1], "g", 1) != 1)
    die ("could not start the pause process (it went away)");
  struct pause_record rec = { 0, 0 };
  read_exact (to_parent[0], &rec.pid, sizeof rec.pid, "it did not report its pid");
  close (to_parent[0]);
  close (to_child[1]);
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  rec.start_time = process_start_time (rec.pid);
  if (rec.start_time == 0)
    die ("the pause process exited as soon as it started");
  return rec;
}

/* A new pause process in the user and mount namespaces of the process
   behind PIDFD; its pid 0 when they cannot be joined. */
static struct pause_record
pause_in_namespaces_of (int pidfd)
{
  int to_parent[2];
  if (pipe2 (to_parent, O_CLOEXEC) < 0)
    die ("pipe: %s", strerror (errno));
  pid_t child = fork ();
  if (child < 0)
    die ("fork: %s", strerror (errno));
  if (child == 0)
    {
      close (to_parent[0]);
      pid_t pause_pid = 0;
      if (setns (pidfd, CLONE_NEWUSER | CLONE_NEWNS) == 0 && (pause_pid = fork ()) == 0)
        pause_forever ();
      if (write (to_parent[1], &pause_pid, sizeof pause_pid) != sizeof pause_pid)
        _exit (1);
      _exit (0);
    }
  close (to_parent[1]);
  struct pause_record rec = { 0, 0 };
  read_exact (to_parent[0], &rec.pid, sizeof rec.pid, "no answer from the namespace it joined");
  close (to_parent[0]);
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (rec.pid > 0)
    rec.start_time = process_start_time (rec.pid);
  if (rec.start_time == 0)
    rec.pid = 0;
  return rec;
}

struct wanted_maps
{
  struct idmap uids, gids;
};

static void
load_wanted_maps (uid_t uid, gid_t gid, struct wanted_maps *w)
{
  struct passwd *pw = getpwuid (uid);
  const char *name = pw ? pw->pw_name : NULL;
  char *error = NULL;
  if (idmap_from_subid_file ("/etc/subuid", name, uid, &w->uids, &error) < 0
      || idmap_from_subid_file ("/etc/subgid", name, gid, &w->gids, &error) < 0)
    die ("%s", error);

  if (w->uids.count == 1 || w->gids.count == 1)
    {
      if (w->uids.count > 1 || w->gids.count > 1)
        die ("%s has subordinate ids in only one of /etc/subuid and /etc/subgid; add the same kind of range to the other",
             name ? name : "this user");
      warn ("no subordinate ids for %s in /etc/subuid and /etc/subgid: only your own id is mapped, and images with files of other owners will fail; fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s",
            name ? name : "this user", name ? name : "USER");
    }
}

static int
pause_is_current (const struct pause_record *rec, const struct wanted_maps *w, int *pidfd)
{
  *pidfd = open_pause (rec);
  if (*pidfd < 0)
    return 0;
  return maps_match (rec->pid, "uid_map", &w->uids) && maps_match (rec->pid, "gid_map", &w->gids);
}

/* The pause process gone (killed, or reaped with the session's processes),
   a detached container's conmon still holds the namespaces its container
   runs in, with their mounts and network: a new pause process joins them
   rather than making new ones, which would leave every running container out
   of reach (podman rejoins the same way, through its conmon pid files).
   conmon/ holds a record per detached container, written by tpod. */
static int
adopt_conmon_namespaces (int dirfd, uid_t uid, const struct wanted_maps *w, struct pause_record *out)
{
  int cdir = openat (dirfd, "conmon", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (cdir < 0)
    return 0;
  DIR *d = fdopendir (cdir);
  if (!d)
    {
      close (cdir);
      return 0;
    }
  int adopted = 0;
  struct dirent *ent;
  while (!adopted && (ent = readdir (d)) != NULL)
    {
      struct pause_record rec;
      int pidfd = -1;
      if (ent->d_name[0] == '.' || !read_process_record (cdir, ent->d_name, uid, &rec))
        continue;
      if (pause_is_current (&rec, w, &pidfd))
        {
          *out = pause_in_namespaces_of (pidfd);
          adopted = out->pid > 0;
        }
      if (pidfd >= 0)
        close (pidfd);
    }
  closedir (d);
  return adopted;
}

/* Returns a pidfd of a pause process whose namespaces we can join. */
static int
find_or_create_pause (int dirfd, uid_t uid, gid_t gid, pid_t *pause_pid)
{
  struct wanted_maps w;
  struct pause_record rec;
  int pidfd = -1;

  load_wanted_maps (uid, gid, &w);
  if (read_process_record (dirfd, "pause.pid", uid, &rec) && pause_is_current (&rec, &w, &pidfd))
    goto found;
  if (pidfd >= 0)
    close (pidfd);

  int lock = openat (dirfd, "pause.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    die ("cannot lock the pause process's pid file: %s", strerror (errno));

  /* Another call may have started it while we waited for the lock. */
  pidfd = -1;
  if (read_process_record (dirfd, "pause.pid", uid, &rec) && pause_is_current (&rec, &w, &pidfd))
    {
      close (lock);
      goto found;
    }
  if (pidfd >= 0)
    {
      /* Alive but mapped from an older /etc/subuid: rebuild unless something
         still runs inside it, which a new namespace would orphan. */
      int users = processes_in_namespace (rec.pid);
      if (users > 0)
        {
          warn ("/etc/subuid or /etc/subgid changed, but %d %s (containers or `tpod unshare` shells) still %s the old mapping; stop %s, then run `tpod system migrate`",
                users, users == 1 ? "process" : "processes", users == 1 ? "uses" : "use", users == 1 ? "it" : "them");
          close (lock);
          goto found;
        }
      end_pause (pidfd);
      close (pidfd);
    }

  if (!adopt_conmon_namespaces (dirfd, uid, &w, &rec))
    rec = create_pause (&w.uids, &w.gids, uid, gid);
  write_pause_record (dirfd, &rec);
  close (lock);
  pidfd = open_pause (&rec);
  if (pidfd < 0)
    die ("the pause process exited as soon as it started");

found:
  *pause_pid = rec.pid;
  return pidfd;
}

/* Returns 0, or an errno when the pause process went away meanwhile. */
static int
join_namespaces (int pidfd)
{
  /* setns into a mount namespace moves us to its root directory: come back
     to the caller's directory afterwards, by fd because the path may differ. */
  int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int err = setns (pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0 ? errno : 0;
  close (pidfd);
  if (err == ESRCH)
    {
      if (cwd >= 0)
        close (cwd);
      return err;
    }
  if (err)
    die ("cannot join tpod's user namespace: %s; run `tpod system migrate` if this persists", strerror (err));
  if (cwd >= 0)
    {
      if (fchdir (cwd) < 0)
        warn ("cannot return to the current directory: %s", strerror (errno));
      close (cwd);
    }
  return 0;
}

/* The CLI sits at ../dist/start.cjs from the launcher's real location, both in
   the source tree (native/tpod) and where install.sh puts it. */
static void
cli_path (char *out, size_t len)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0)
    die ("cannot find the launcher's own path: %s", strerror (errno));
  exe[n] = '\0';
  char *slash = strrchr (exe, '/');
  *slash = '\0';
  slash = strrchr (exe, '/');
  if (slash)
    *slash = '\0';
  if ((size_t) snprintf (out, len, "%s/dist/start.cjs", exe) >= len)
    die ("the launcher's path is too long");
}

static void
setenv_number (const char *name, unsigned long value)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%lu", value);
  setenv (name, buf, 1);
}

/* Inside a user namespace other than the initial one, uid_map is not the
   identity map of all ids. */
static int
in_initial_user_namespace (void)
{
  char buf[256];
  struct idmap map;
  if (read_small_file ("/proc/self/uid_map", buf, sizeof buf) < 0)
    return 1;
  idmap_parse_proc (buf, &map);
  return map.count == 1 && map.e[0].inside == 0 && map.e[0].outside == 0 && map.e[0].count == 4294967295UL;
}

int
main (int argc, char **argv)
{
  char cli[PATH_MAX];
  cli_path (cli, sizeof cli);

  /* A tpod started from `tpod unshare` is inside already: the outer launcher
     left its findings in the environment. */
  if (in_initial_user_namespace () || getenv ("TPOD_RUNTIME_DIR") == NULL)
    {
      uid_t uid = getuid ();
      gid_t gid = getgid ();
      char rundir[PATH_MAX / 2];
      choose_runtime_dir (uid, rundir, sizeof rundir);
      setenv ("TPOD_RUNTIME_DIR", rundir, 1);
      setenv_number ("TPOD_HOST_UID", uid);
      setenv_number ("TPOD_HOST_GID", gid);
      unsetenv ("TPOD_PAUSE_PID");

      /* Real root needs no user namespace: it already owns every id. */
      if (uid != 0)
        {
          int dirfd = open (rundir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (dirfd < 0)
            die ("cannot open %s: %s", rundir, strerror (errno));
          /* The pause process may die between our check and setns: then
             the next check sees it gone and starts another. One killed a
             moment ago still looks alive until its exit is through (it is
             no zombie yet, but its namespaces are gone): wait a little for
             that, up to a second, under load too. */
          pid_t pause_pid;
          int tries = 0;
          while (join_namespaces (find_or_create_pause (dirfd, uid, gid, &pause_pid)) != 0)
            {
              if (++tries == 50)
                die ("the pause process keeps exiting; see `tpod info` and `journalctl --user`");
              usleep (20000);
            }
          close (dirfd);
          setenv_number ("TPOD_PAUSE_PID", (unsigned long) pause_pid);
        }
    }

  /* TPOD_NODE, else the node found at build time, else node on PATH (the
     build machine's path may not exist where the tree is used). */
  const char *node = getenv ("TPOD_NODE");
  if (!node || !*node)
    node = access (TPOD_NODE, X_OK) == 0 ? TPOD_NODE : find_program ("node");
  if (!node)
    die ("Node.js is not installed: tpod needs Node.js >= 20.19 (or set TPOD_NODE to its path)");
  char **args = calloc ((size_t) argc + 2, sizeof *args);
  if (!args)
    die ("out of memory");
  args[0] = (char *) node;
  args[1] = cli;
  for (int i = 1; i < argc; i++)
    args[i + 1] = argv[i];
  execv (node, args);
  die ("cannot run %s: %s; set TPOD_NODE to a Node.js >= 20.19 binary", node, strerror (errno));
}
