/*
 * Merged by pcf-scripts into its own webpack configuration (feature flag pcfAllowCustomWebpack in
 * featureconfig.json). @fluentui/react-icons styles its icons with @griffel/react, which the platform's Fluent
 * library re-exports (`__styles`, `mergeClasses`, `makeStyles`): taken from there, the icons use the platform's
 * one style engine and renderer instead of bundling a second copy.
 */
/* global module -- pcf-scripts requires this file as CommonJS */
module.exports = {
  externals: [{ '@griffel/react': 'FluentUIReactv940' }],
};
