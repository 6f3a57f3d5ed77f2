// Set up for the jest project `functions (unkind Oneflow)`: every stack its suites start takes the unkind
// readings of what Oneflow's sources leave open (see startStack).
process.env.E2E_ONEFLOW_READINGS = 'unkind';
