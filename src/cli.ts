/** The bundle's entry (dist/tpod.cjs), run by start.cts. */
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
