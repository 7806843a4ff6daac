/* Test driver for idmap.c: subid file text on stdin, NAME and ID as
   arguments; prints the map tpod would ask for, or the error. */
#include "idmap.h"

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: idmap-test NAME ID < subuid\n");
      return 2;
    }
  static char text[1 << 16];
  size_t n = fread (text, 1, sizeof text - 1, stdin);
  text[n] = '\0';
  struct idmap map;
  char *error = NULL;
  if (idmap_from_subid_text (text, argv[1], strtoul (argv[2], NULL, 10), &map, &error) < 0)
    {
      printf ("error: %s\n", error);
      return 1;
    }
  for (int i = 0; i < map.count; i++)
    printf ("%lu %lu %lu\n", map.e[i].inside, map.e[i].outside, map.e[i].count);
  return 0;
}
