/* Id maps: what /etc/subuid grants a user, and what /proc/PID/uid_map holds.
   Pure: no I/O beyond reading the one file named. */
#ifndef TPOD_IDMAP_H
#define TPOD_IDMAP_H

#include <sys/types.h>

#define IDMAP_MAX 64

struct idmap_entry
{
  unsigned long inside, outside, count;
};

struct idmap
{
  int count;
  struct idmap_entry e[IDMAP_MAX];
};

/* Builds the map tpod asks for: our own ID as 0, then each subordinate range
   of NAME (or of the numeric ID) stacked from 1 in file order. A missing file
   means no ranges. Returns -1 with *error set for a range that contains our
   own id or a malformed line that names us. */
int idmap_from_subid_text (const char *text, const char *name, unsigned long id, struct idmap *map, char **error);
int idmap_from_subid_file (const char *path, const char *name, unsigned long id, struct idmap *map, char **error);

/* Parses the kernel's "inside outside count" lines. */
void idmap_parse_proc (const char *text, struct idmap *map);

int idmap_equal (const struct idmap *a, const struct idmap *b);

#endif
