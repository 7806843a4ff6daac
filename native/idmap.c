#define _GNU_SOURCE
#include "idmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
names_us (const char *owner, const char *name, unsigned long id)
{
  if (name && strcmp (owner, name) == 0)
    return 1;
  char *end;
  errno = 0;
  unsigned long n = strtoul (owner, &end, 10);
  return *owner && *end == '\0' && errno == 0 && n == id;
}

int
idmap_from_subid_text (const char *text, const char *name, unsigned long id, struct idmap *map, char **error)
{
  unsigned long next = 1;
  map->count = 1;
  map->e[0] = (struct idmap_entry){ 0, id, 1 };

  char *copy = strdup (text), *save = NULL;
  if (!copy)
    return -1;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *colon = strchr (line, ':');
      if (line[0] == '#' || !colon)
        continue;
      *colon = '\0';
      if (!names_us (line, name, id))
        continue;
      unsigned long start, count;
      char extra;
      if (sscanf (colon + 1, "%lu:%lu%c", &start, &count, &extra) != 2 || count == 0)
        {
          asprintf (error, "malformed line for %s in the subordinate id file: '%s:%s'", line, line, colon + 1);
          free (copy);
          return -1;
        }
      if (id >= start && id - start < count)
        {
          asprintf (error, "the subordinate range %lu:%lu of %s contains your own id %lu; give it a range that does not",
                    start, count, line, id);
          free (copy);
          return -1;
        }
      if (map->count == IDMAP_MAX)
        break;
      map->e[map->count++] = (struct idmap_entry){ next, start, count };
      next += count;
    }
  free (copy);
  return 0;
}

int
idmap_from_subid_file (const char *path, const char *name, unsigned long id, struct idmap *map, char **error)
{
  FILE *f = fopen (path, "re");
  if (!f)
    return idmap_from_subid_text ("", name, id, map, error);
  char *text = NULL;
  size_t len = 0;
  ssize_t n = getdelim (&text, &len, '\0', f);
  fclose (f);
  int ret = idmap_from_subid_text (n > 0 ? text : "", name, id, map, error);
  if (ret < 0 && *error)
    {
      char *with_path;
      if (asprintf (&with_path, "%s: %s", path, *error) >= 0)
        {
          free (*error);
          *error = with_path;
        }
    }
  free (text);
  return ret;
}

void
idmap_parse_proc (const char *text, struct idmap *map)
{
  map->count = 0;
  const char *p = text;
  int used;
  struct idmap_entry e;
  while (map->count < IDMAP_MAX && sscanf (p, " %lu %lu %lu%n", &e.inside, &e.outside, &e.count, &used) == 3)
    {
      map->e[map->count++] = e;
      p += used;
    }
}

int
idmap_equal (const struct idmap *a, const struct idmap *b)
{
  if (a->count != b->count)
    return 0;
  for (int i = 0; i < a->count; i++)
    if (a->e[i].inside != b->e[i].inside || a->e[i].outside != b->e[i].outside || a->e[i].count != b->e[i].count)
      return 0;
  return 1;
}
