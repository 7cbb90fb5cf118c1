/** The console's entry point: esbuild bundles it (with Preact and the protocol code) into console/dist/app.js. */
import { render } from 'preact';
import { App } from './app.tsx';

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
