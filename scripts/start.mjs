// `npm start` runs the whole product on the local stack: Azurite, the simulators, the Functions runner and the
// host page. The Functions runner and the host page arrive with the backend and widget issues; until then there
// is no product to start, and this says so instead of pretending.
console.error(
  'The local stack is not complete yet: the Functions runner and the host page arrive with later issues.\n' +
    'What runs today: `npm run sim` (the Oneflow, Dataverse and identity simulators) and `npm test`.',
);
process.exit(1);
