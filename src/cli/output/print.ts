/** The only place command results reach stdout. */
import { renderTemplate } from './template.js';

/** Prints a report as JSON, through a Go template, or as the command's own text. */
export function printReport(report: unknown, format: string | undefined, text: () => string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(report, null, 4)}\n`);
  } else if (format) {
    const out = renderTemplate(format, report);
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  } else {
    process.stdout.write(text());
  }
}
