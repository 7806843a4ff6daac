/** Node's entry point, exec'd by the launcher inside the user namespace. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
