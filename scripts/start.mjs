// `npm start` runs the whole product on the local stack. Its parts (Azurite, the Oneflow, Dataverse and
// identity simulators, the Functions runner and the host page) arrive with the simulator, backend and
// widget issues; until then there is nothing to start, and this says so instead of pretending.
console.error(
  'The local stack is not built yet: the simulators, the Functions runner and the host page arrive with later issues.\n' +
    'What exists today is the sync engine in shared/: run `npm test` to exercise it.',
);
process.exit(1);
