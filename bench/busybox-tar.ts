/** Writes a busybox root filesystem tarball (the tests' base layer) to the path given, for the guest to import. */
import { writeFileSync } from 'node:fs';
import { busyboxLayer } from '../test/registry/images.js';
import { tar } from '../test/registry/tar-writer.js';

writeFileSync(process.argv[2]!, tar(busyboxLayer()));
