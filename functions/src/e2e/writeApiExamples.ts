import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from '../testing/stack';
import { withExamples } from './apiExampleMarkdown';
import { generateApiExamples } from './apiExamples';

/**
 * `npm run docs:examples`: runs the examples' story against a stack of its own and rewrites the example regions
 * of docs/api.md with what the product answered. Prose outside the regions is left as it is.
 */
export const API_DOC = join(__dirname, '..', '..', '..', 'docs', 'api.md');

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const examples = await generateApiExamples(stack);
    const before = readFileSync(API_DOC, 'utf8');
    const after = withExamples(before, examples);
    writeFileSync(API_DOC, after);
    console.log(
      after === before
        ? `docs/api.md: ${String(examples.size)} examples, all as they were`
        : `docs/api.md: ${String(examples.size)} examples written from the product's answers`,
    );
  } finally {
    await stack.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
