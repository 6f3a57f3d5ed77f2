/** A control's resx, compiled into the web-resource build as text (esbuild's text loader). */
declare module '*.resx' {
  const xml: string;
  export default xml;
}
