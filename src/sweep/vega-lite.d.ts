// vega-lite publishes its types only through package.json "exports", which this project's
// moduleResolution ("node") does not read; the one call the sweep makes, declared here.
declare module 'vega-lite' {
  /** Compiles a Vega-Lite specification to a Vega specification. */
  export function compile(spec: Record<string, unknown>): { spec: import('vega').Spec };
}
