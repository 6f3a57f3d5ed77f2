// `npm run reset`: forgets the local stack's saved state, so that the next `npm start` begins from the seeded
// demo data. Refuses while a stack is running from the same folder (it would save its state again on stop).
import { runningStack, stateFolder, wipe } from './localState.mjs';

const folder = stateFolder();
const pid = runningStack(folder);
if (pid !== null) {
  console.error(
    `A local stack is running from ${folder.dir} (pid ${pid}): stop it (Ctrl-C) first, then reset.`,
  );
  process.exit(1);
}
console.log(
  wipe(folder)
    ? `Removed the saved state in ${folder.dir}: the next npm start begins from the seeded demo data.`
    : `Nothing saved in ${folder.dir}: the next npm start begins from the seeded demo data.`,
);
