/// <reference types="vite/client" />

// Lets plain `tsc -p web/tsconfig.json` check the .ts files; vue-tsc (if installed) checks the .vue files for real.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
