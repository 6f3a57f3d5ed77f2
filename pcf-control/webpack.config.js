/*
 * Merged by pcf-scripts into its own webpack configuration (feature flag pcfAllowCustomWebpack in
 * featureconfig.json). @fluentui/react-icons styles its icons with @griffel/react, whose ES modules import
 * `react/jsx-runtime` without a file extension; React 16 has no `exports` map to resolve that, so ES module
 * requests are allowed to leave the extension out, as in CommonJS.
 */
/* global module -- pcf-scripts requires this file as CommonJS */
module.exports = {
  module: {
    rules: [{ test: /\.m?js$/, resolve: { fullySpecified: false } }],
  },
};
